package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;

/** Which kernel backend the CLI and the worker use. */
public enum KernelChoice {
  /** libtorch's fused kernels (SDPA, group norm, tanh-GELU) through a TorchScript module. */
  fused,
  /** Op-by-op NDArray composition: the readable reference. */
  plain;

  /** A backend on {@code device}; the pipeline that receives it closes it. */
  public Kernels create(Device device) {
    return this == fused ? TorchScriptKernels.load(device) : NdArrayKernels.INSTANCE;
  }
}
