package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Set;

/**
 * A read-only collection of named tensors on disk (one safetensors file, a sharded set, a .pth
 * archive). Tensors are read one at a time so a checkpoint never has to fit in host memory.
 */
public interface TensorSource extends AutoCloseable {

  /** Every tensor name in this source. */
  Set<String> names();

  /** Where {@code name} is stored; throws {@link WeightException} naming the source if absent. */
  TensorInfo info(String name);

  /** Human-readable origin (a path) for error messages. */
  String describe();

  /**
   * Reads one tensor into {@code manager} (and so onto its device), converted to {@code target}.
   * BF16 is widened to F32 on the host first, because DJL's PyTorch binding has no bfloat16.
   */
  NDArray load(String name, NDManager manager, DataType target);

  @Override
  void close();
}
