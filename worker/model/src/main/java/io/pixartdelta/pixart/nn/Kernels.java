package io.pixartdelta.pixart.nn;

import ai.djl.ndarray.NDArray;

/**
 * The fused operations DJL's NDArray API lacks, behind one small interface with two backends: the
 * readable op-by-op {@link NdArrayKernels} (the reference for parity tests) and a
 * TorchScript-backed one that reaches libtorch's fused kernels (scaled-dot-product attention, group
 * norm, tanh-GELU).
 *
 * <p>Every method keeps the input dtype for its output; statistics and softmax are computed in fp32
 * when the input is fp16. Shapes: B batch, H heads, Nq/Nk query/key tokens, d head width.
 */
public interface Kernels {

  /**
   * {@code softmax(q·kᵀ·scale + bias)·v}.
   *
   * @param q (B, H, Nq, d)
   * @param k (B, H, Nk, d)
   * @param v (B, H, Nk, d)
   * @param bias additive bias broadcastable to (B, H, Nq, Nk), or {@code null}
   * @param scale multiplier of the scores (1/√d usually; 1 for T5)
   * @return (B, H, Nq, d)
   */
  NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias, float scale);

  /** LayerNorm over the last axis without affine parameters (biased variance). */
  NDArray layerNorm(NDArray x, float eps);

  /**
   * GroupNorm with per-channel affine parameters.
   *
   * @param x (B, C, H, W)
   * @param gamma (C)
   * @param beta (C)
   */
  NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps);

  /** T5's RMS norm over the last axis: {@code x / sqrt(mean(x²) + eps) · weight}, no mean shift. */
  NDArray rmsNorm(NDArray x, NDArray weight, float eps);

  /** GELU with the tanh approximation: {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}. */
  NDArray geluTanh(NDArray x);
}
