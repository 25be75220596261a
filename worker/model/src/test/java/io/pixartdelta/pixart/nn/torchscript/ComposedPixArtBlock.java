package io.pixartdelta.pixart.nn.torchscript;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
import io.pixartdelta.pixart.nn.Kernels;
import java.util.List;

/**
 * The PixArt block (diffusers @58eb52c {@code models/attention.py}, {@code BasicTransformerBlock}
 * with {@code ada_norm_single}) composed op by op from a {@link Kernels} backend and NDArray ops:
 * the independent reference for {@link PixArtBlockScript} (parameters in {@link
 * PixArtBlockScript#PARAMETERS} order). Shapes: B batch, N tokens, L caption tokens, D width.
 */
final class ComposedPixArtBlock {
  private ComposedPixArtBlock() {}

  static NDArray forward(
      Kernels kernels,
      NDArray x,
      NDArray mod,
      NDArray y,
      NDArray crossBias,
      int heads,
      float eps,
      List<NDArray> p) {
    try (NDManager scope = NDManager.subManagerOf(x)) {
      scope.tempAttachAll(x, mod, y, crossBias);
      long b = x.getShape().get(0);
      long d = x.getShape().get(2);
      NDArray rows = mod.reshape(b, 6, d).add(p.get(0)); // (B, 6, D)
      NDList r = rows.split(6, 1); // 6 × (B, 1, D)
      NDArray shiftMsa = r.get(0);
      NDArray scaleMsa = r.get(1);
      NDArray gateMsa = r.get(2);
      NDArray shiftMlp = r.get(3);
      NDArray scaleMlp = r.get(4);
      NDArray gateMlp = r.get(5);

      NDArray u = kernels.layerNorm(x, eps).mul(scaleMsa.add(1f)).add(shiftMsa); // (B, N, D)
      NDArray h = x.add(gateMsa.mul(attention(kernels, u, u, heads, p.subList(1, 9), null)));
      h = h.add(attention(kernels, h, y, heads, p.subList(9, 17), crossBias)); // (B, N, D)
      NDArray v = kernels.layerNorm(h, eps).mul(scaleMlp.add(1f)).add(shiftMlp);
      NDArray ff = linear(kernels.geluTanh(linear(v, p.get(17), p.get(18))), p.get(19), p.get(20));
      return scope.ret(h.add(gateMlp.mul(ff))); // (B, N, D)
    }
  }

  private static NDArray attention(
      Kernels kernels, NDArray queries, NDArray context, int heads, List<NDArray> w, NDArray bias) {
    long b = queries.getShape().get(0);
    long n = queries.getShape().get(1);
    long m = context.getShape().get(1);
    NDArray q = linear(queries, w.get(0), w.get(1)).reshape(b, n, heads, -1).transpose(0, 2, 1, 3);
    NDArray k = linear(context, w.get(2), w.get(3)).reshape(b, m, heads, -1).transpose(0, 2, 1, 3);
    NDArray v = linear(context, w.get(4), w.get(5)).reshape(b, m, heads, -1).transpose(0, 2, 1, 3);
    float scale = (float) (1 / Math.sqrt((double) q.getShape().get(3)));
    NDArray o = kernels.attention(q, k, v, bias, scale); // (B, H, N, D/H)
    return linear(o.transpose(0, 2, 1, 3).reshape(b, n, -1), w.get(6), w.get(7)); // (B, N, D)
  }

  private static NDArray linear(NDArray x, NDArray w, NDArray bias) {
    return Linear.linear(x, w, bias).singletonOrThrow();
  }
}
