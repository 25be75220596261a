package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;

/** Which kernel backend the CLI uses. */
public enum KernelChoice {
  /** Op-by-op NDArray composition: the reference the parity tests use. */
  plain;

  public Kernels create(Device device) {
    return NdArrayKernels.INSTANCE;
  }
}
