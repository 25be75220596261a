package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;

/**
 * Multi-head attention with separate query/key/value projections and an output projection (the
 * diffusers {@code Attention} module: {@code to_q}, {@code to_k}, {@code to_v}, {@code to_out.0}).
 * Self-attention passes the tokens as their own context.
 *
 * <p>Shapes: B batch, Nq query tokens, Nk context tokens, D hidden, H heads, d = D/H.
 */
final class MultiHeadAttention {
  private final LinearLayer query;
  private final LinearLayer key;
  private final LinearLayer value;
  private final LinearLayer out;
  private final int heads;
  private final int headDim;
  private final float scale;
  private final Kernels kernels;

  MultiHeadAttention(Weights weights, String prefix, int heads, int headDim, Kernels kernels) {
    this.query = LinearLayer.of(weights, prefix + ".to_q");
    this.key = LinearLayer.of(weights, prefix + ".to_k");
    this.value = LinearLayer.of(weights, prefix + ".to_v");
    this.out = LinearLayer.of(weights, prefix + ".to_out.0");
    this.heads = heads;
    this.headDim = headDim;
    this.scale = (float) (1.0 / Math.sqrt(headDim));
    this.kernels = kernels;
  }

  /** Declares the four projections, all (D, D) since the context is already D wide. */
  static void declare(WeightSpec spec, String prefix, int dim, boolean bias) {
    for (String p : new String[] {".to_q", ".to_k", ".to_v", ".to_out.0"}) {
      LinearLayer.declare(spec, prefix + p, dim, dim, bias);
    }
  }

  /**
   * Runs in the caller's scope (intermediates land in {@code x}'s manager).
   *
   * @param x (B, Nq, D) queries
   * @param context (B, Nk, D) keys and values
   * @param bias additive score bias broadcastable to (B, H, Nq, Nk), or {@code null}
   * @return (B, Nq, D)
   */
  NDArray forward(NDArray x, NDArray context, NDArray bias) {
    long b = x.getShape().get(0);
    long nq = x.getShape().get(1);
    long nk = context.getShape().get(1);
    NDArray q = splitHeads(query.apply(x), b, nq); // (B, H, Nq, d)
    NDArray k = splitHeads(key.apply(context), b, nk); // (B, H, Nk, d)
    NDArray v = splitHeads(value.apply(context), b, nk); // (B, H, Nk, d)
    NDArray o = kernels.attention(q, k, v, bias, scale); // (B, H, Nq, d)
    o = o.transpose(0, 2, 1, 3).reshape(b, nq, (long) heads * headDim); // (B, Nq, D)
    return out.apply(o);
  }

  private NDArray splitHeads(NDArray t, long b, long n) {
    return t.reshape(b, n, heads, headDim).transpose(0, 2, 1, 3); // (B, H, N, d)
  }
}
