package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import io.pixartdelta.pixart.nn.Kernels;
import java.util.List;

/**
 * The mid block's single-head spatial self-attention (the {@code Attention} of diffusers' {@code
 * UNetMidBlock2D}, {@code models/attention_processor.py} @58eb52c): GroupNorm, every pixel a token
 * of width C, {@code softmax(Q·Kᵀ/√C)·V}, output projection, plus the un-normalised input.
 *
 * <p>Shapes: B batch, C channels (= head width), H×W latent grid, N = H·W tokens. At 1024 px, N =
 * 16384, so full scores would take N² floats (1 GiB) per image: queries are processed in chunks of
 * {@code queryChunk} rows.
 *
 * <p>Accepts the current diffusers names ({@code to_q}, {@code to_k}, {@code to_v}, {@code
 * to_out.0}) and the old ones ({@code query}, {@code key}, {@code value}, {@code proj_attn}).
 */
final class MidBlockAttention {
  private final GroupNormLayer norm;
  private final NDArray wq;
  private final NDArray bq;
  private final NDArray wk;
  private final NDArray bk;
  private final NDArray wv;
  private final NDArray bv;
  private final NDArray wo;
  private final NDArray bo;
  private final float scale;
  private final int queryChunk;
  private final Kernels kernels;

  /** Parameters under {@code prefix} ({@code ...mid_block.attentions.0}). */
  MidBlockAttention(
      VaeParams p, String prefix, int channels, int groups, Kernels kernels, int queryChunk) {
    if (queryChunk <= 0) {
      throw new IllegalArgumentException("queryChunk must be positive, got " + queryChunk);
    }
    this.norm = new GroupNormLayer(p, prefix + ".group_norm", channels, groups, kernels);
    this.wq = p.getOrOld(prefix + ".to_q.weight", prefix + ".query.weight", channels, channels);
    this.bq = p.getOrOld(prefix + ".to_q.bias", prefix + ".query.bias", channels);
    this.wk = p.getOrOld(prefix + ".to_k.weight", prefix + ".key.weight", channels, channels);
    this.bk = p.getOrOld(prefix + ".to_k.bias", prefix + ".key.bias", channels);
    this.wv = p.getOrOld(prefix + ".to_v.weight", prefix + ".value.weight", channels, channels);
    this.bv = p.getOrOld(prefix + ".to_v.bias", prefix + ".value.bias", channels);
    this.wo =
        p.getOrOld(prefix + ".to_out.0.weight", prefix + ".proj_attn.weight", channels, channels);
    this.bo = p.getOrOld(prefix + ".to_out.0.bias", prefix + ".proj_attn.bias", channels);
    this.scale = (float) (1.0 / Math.sqrt(channels));
    this.queryChunk = queryChunk;
    this.kernels = kernels;
  }

  /**
   * @param x (B, C, H, W)
   * @return (B, C, H, W)
   */
  NDArray forward(NDArray x) {
    Shape s = x.getShape();
    long b = s.get(0);
    long c = s.get(1);
    long n = s.get(2) * s.get(3);
    try (NDManager scope = NDManager.subManagerOf(x)) {
      scope.tempAttachAll(x);
      NDArray tokens = norm.forward(x).reshape(b, c, n).transpose(0, 2, 1); // (B, N, C)
      NDArray q = Linear.linear(tokens, wq, bq).singletonOrThrow().expandDims(1); // (B, 1, N, C)
      NDArray k = Linear.linear(tokens, wk, bk).singletonOrThrow().expandDims(1); // (B, 1, N, C)
      NDArray v = Linear.linear(tokens, wv, bv).singletonOrThrow().expandDims(1); // (B, 1, N, C)
      NDArray attended = chunkedAttention(kernels, q, k, v, scale, queryChunk); // (B, 1, N, C)
      NDArray out = Linear.linear(attended.reshape(b, n, c), wo, bo).singletonOrThrow(); // (B,N,C)
      out = out.transpose(0, 2, 1).reshape(s); // (B, C, H, W)
      return scope.ret(out.add(x)); // (B, C, H, W); rescale factor 1
    }
  }

  /** Appends the parameters in {@code VaeBlockScript.ATTENTION} order. */
  void appendTo(List<NDArray> params) {
    norm.appendTo(params);
    params.addAll(List.of(wq, bq, wk, bk, wv, bv, wo, bo));
  }

  /**
   * {@code kernels.attention(q, k, v, null, scale)} computed {@code chunk} query rows at a time;
   * each chunk's scores are freed before the next chunk starts.
   *
   * @param q (B, Hd, Nq, d)
   * @param k (B, Hd, Nk, d)
   * @param v (B, Hd, Nk, d)
   * @return (B, Hd, Nq, d), attached to q's manager
   */
  static NDArray chunkedAttention(
      Kernels kernels, NDArray q, NDArray k, NDArray v, float scale, int chunk) {
    long[] splits = VaeOps.splitPoints(q.getShape().get(2), chunk);
    try (NDManager scope = NDManager.subManagerOf(q)) {
      scope.tempAttachAll(q, k, v);
      if (splits.length == 0) {
        return scope.ret(kernels.attention(q, k, v, null, scale)); // (B, Hd, Nq, d)
      }
      NDList parts = q.split(splits, 2); // each (B, Hd, ≤chunk, d)
      NDList outs = new NDList(parts.size());
      for (NDArray part : parts) {
        try (NDManager chunkScope = scope.newSubManager()) {
          chunkScope.tempAttachAll(part, k, v);
          outs.add(chunkScope.ret(kernels.attention(part, k, v, null, scale)));
        }
      }
      return scope.ret(NDArrays.concat(outs, 2)); // (B, Hd, Nq, d)
    }
  }
}
