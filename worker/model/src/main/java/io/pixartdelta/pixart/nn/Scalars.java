package io.pixartdelta.pixart.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Arithmetic with a Java number that never blocks on the device. DJL's {@code x.mul(2f)} turns the
 * number into a 0-d tensor on {@code x}'s device: on a GPU that is a synchronous host→device copy
 * per call, which drains the queue of launched kernels. libtorch accepts a 0-d CPU tensor as a
 * scalar operand of a CUDA op (it is passed by value to the kernel), so these helpers create the
 * number on the host instead. Results, dtypes and type promotion are those of the plain calls.
 */
public final class Scalars {
  private static final NDManager HOST = NDManager.newBaseManager(Device.cpu());

  private Scalars() {}

  /** x · s. */
  public static NDArray mul(NDArray x, float s) {
    try (NDArray c = HOST.create(s)) {
      return x.mul(c);
    }
  }

  /** x / s. */
  public static NDArray div(NDArray x, float s) {
    try (NDArray c = HOST.create(s)) {
      return x.div(c);
    }
  }

  /** x + s. */
  public static NDArray add(NDArray x, float s) {
    try (NDArray c = HOST.create(s)) {
      return x.add(c);
    }
  }

  /** a·x + b·y, the shape of every scheduler update. */
  public static NDArray axpby(float a, NDArray x, float b, NDArray y) {
    return mul(x, a).add(mul(y, b));
  }
}
