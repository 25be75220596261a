package io.pixartdelta.pixart.nn.torchscript;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.nn.Kernels;

/**
 * {@link Kernels} backed by libtorch's fused operators through one TorchScript module ({@code
 * kernels.py} next to this class): {@code scaled_dot_product_attention} (flash / memory-efficient
 * kernels on a GPU, never materialising the (Nq, Nk) scores there), {@code layer_norm}, {@code
 * group_norm}, {@code gelu(approximate="tanh")} and an explicit T5 RMS norm. Each kernel is one
 * native call instead of 5–10 NDArray ops.
 *
 * <p>Numerics: fp32 inputs give results within float rounding of {@link
 * io.pixartdelta.pixart.nn.NdArrayKernels}. Half inputs give half outputs with fp32 statistics and
 * softmax inside the fused kernels; the attention bias is cast to the query dtype (as diffusers
 * builds it), and the group-norm affine parameters to the input dtype.
 *
 * <p>Thread-safe; results are attached to the manager of the first array argument (the activation).
 */
public final class TorchScriptKernels implements Kernels, AutoCloseable {
  static final String CLASS_NAME = "Kernels";
  static final String SOURCE = "kernels.py";

  private final TorchScriptModule module;
  private PixArtBlockScript pixartBlock;

  private TorchScriptKernels(TorchScriptModule module) {
    this.module = module;
  }

  /**
   * The whole PixArt transformer block as one TorchScript method on the same device, compiled once
   * on first use and shared by every block (one call per block instead of ~30 NDArray ops: what
   * matches Python's speed on a GPU at batch 1).
   */
  public synchronized PixArtBlockScript pixartBlock() {
    if (pixartBlock == null) {
      pixartBlock = PixArtBlockScript.load(module.device());
    }
    return pixartBlock;
  }

  /** Compiles the kernels on {@code owner}'s device, closed with {@code owner} (or by close()). */
  public static TorchScriptKernels load(NDManager owner) {
    return new TorchScriptKernels(
        TorchScriptModule.load(
            CLASS_NAME, TorchScriptModule.resource(TorchScriptKernels.class, SOURCE), owner));
  }

  /** Compiles the kernels with a manager of their own on {@code device}. */
  public static TorchScriptKernels load(Device device) {
    return new TorchScriptKernels(
        TorchScriptModule.load(
            CLASS_NAME, TorchScriptModule.resource(TorchScriptKernels.class, SOURCE), device));
  }

  /** The underlying module (its methods are listed in {@code kernels.py}). */
  public TorchScriptModule module() {
    return module;
  }

  @Override
  public NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias, float scale) {
    if (bias == null) {
      return module.call("attention_no_bias", q, k, v, (double) scale); // (B, H, Nq, d)
    }
    return module.call("attention", q, k, v, bias, (double) scale); // (B, H, Nq, d)
  }

  @Override
  public NDArray layerNorm(NDArray x, float eps) {
    return module.call("layer_norm", x, (double) eps);
  }

  @Override
  public NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps) {
    return module.call("group_norm", x, (long) groups, gamma, beta, (double) eps); // (B, C, H, W)
  }

  @Override
  public NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
    return module.call("rms_norm", x, weight, (double) eps);
  }

  @Override
  public NDArray geluTanh(NDArray x) {
    return module.call("gelu_tanh", x);
  }

  /** Frees the native module. */
  @Override
  public synchronized void close() {
    if (pixartBlock != null) {
      pixartBlock.close();
    }
    module.close();
  }
}
