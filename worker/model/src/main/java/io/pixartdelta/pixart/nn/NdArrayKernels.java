package io.pixartdelta.pixart.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@link Kernels} composed from plain NDArray ops: readable, portable, the reference for parity
 * tests. Materializes full attention scores, so it is meant for small shapes and CPU runs.
 */
public final class NdArrayKernels implements Kernels {
  public static final NdArrayKernels INSTANCE = new NdArrayKernels();
  private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

  private NdArrayKernels() {}

  @Override
  public NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias, float scale) {
    DataType type = q.getDataType();
    NDArray scores =
        q.toType(DataType.FLOAT32, false)
            .matMul(k.toType(DataType.FLOAT32, false).transpose(0, 1, 3, 2)); // (B, H, Nq, Nk)
    if (scale != 1f) {
      scores = scores.mul(scale);
    }
    if (bias != null) {
      scores = scores.add(bias.toType(DataType.FLOAT32, false));
    }
    NDArray probs = scores.softmax(-1).toType(type, false); // (B, H, Nq, Nk)
    return probs.matMul(v); // (B, H, Nq, d)
  }

  @Override
  public NDArray layerNorm(NDArray x, float eps) {
    DataType type = x.getDataType();
    NDArray x32 = x.toType(DataType.FLOAT32, false);
    NDArray mean = x32.mean(new int[] {-1}, true);
    NDArray centered = x32.sub(mean);
    NDArray var = centered.square().mean(new int[] {-1}, true);
    return centered.div(var.add(eps).sqrt()).toType(type, false);
  }

  @Override
  public NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta, float eps) {
    DataType type = x.getDataType();
    Shape shape = x.getShape(); // (B, C, H, W)
    long b = shape.get(0);
    NDArray g = x.toType(DataType.FLOAT32, false).reshape(b, groups, -1); // (B, G, C/G·H·W)
    NDArray mean = g.mean(new int[] {-1}, true);
    NDArray centered = g.sub(mean);
    NDArray var = centered.square().mean(new int[] {-1}, true);
    // Channels last so gamma/beta broadcast without reshaping them: weights live in a capped
    // manager, and any op with a weight as its first operand would allocate there.
    NDArray normed =
        centered.div(var.add(eps).sqrt()).reshape(shape).transpose(0, 2, 3, 1); // (B, H, W, C)
    normed = normed.mul(gamma).add(beta).transpose(0, 3, 1, 2); // (B, C, H, W)
    return normed.toType(type, false);
  }

  @Override
  public NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
    DataType type = x.getDataType();
    NDArray x32 = x.toType(DataType.FLOAT32, false);
    NDArray variance = x32.square().mean(new int[] {-1}, true);
    NDArray normed = x32.div(variance.add(eps).sqrt());
    // T5 casts back to the input type before scaling; the product promotes to the wider type.
    return normed.toType(type, false).mul(weight).toType(type, false);
  }

  @Override
  public NDArray geluTanh(NDArray x) {
    NDArray inner = x.pow(3).mul(0.044715f).add(x).mul(SQRT_2_OVER_PI);
    return x.mul(0.5f).mul(inner.tanh().add(1f));
  }
}
