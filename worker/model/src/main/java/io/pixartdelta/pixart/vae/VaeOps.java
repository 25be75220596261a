package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameter-free pieces of the VAE. Shapes: B batch, C channels, H×W spatial size. Every method
 * returns an array attached to its input's manager.
 */
final class VaeOps {
  private static final Shape PAD_RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

  private VaeOps() {}

  /** {@code x·sigmoid(x)}. */
  static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  /**
   * Nearest-neighbour ×2 upsampling: each pixel becomes a 2×2 block.
   *
   * @param x (B, C, H, W)
   * @return (B, C, 2H, 2W)
   */
  static NDArray upsampleNearest2x(NDArray x) {
    Shape s = x.getShape();
    long b = s.get(0);
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    return x.reshape(b, c, h, 1, w, 1) // (B, C, H, 1, W, 1)
        .broadcast(b, c, h, 2, w, 2) // (B, C, H, 2, W, 2)
        .reshape(b, c, 2 * h, 2 * w); // (B, C, 2H, 2W)
  }

  /**
   * Zero padding of one column on the right and one row at the bottom, as the downsampler does
   * before its stride-2 convolution without padding.
   *
   * @param x (B, C, H, W)
   * @return (B, C, H + 1, W + 1)
   */
  static NDArray padRightBottom(NDArray x) {
    // Pairs from the last axis backwards: (W left, W right, H top, H bottom).
    return x.pad(PAD_RIGHT_BOTTOM, 0);
  }

  /**
   * {@code conv(SiLU(norm(x)))}; the norm's temporaries are freed before the convolution runs and
   * only the result outlives the call.
   *
   * @param x (B, I, H, W)
   * @return (B, O, H, W)
   */
  static NDArray normSiluConv(GroupNormLayer norm, ConvLayer conv, NDArray x) {
    try (NDManager scope = NDManager.subManagerOf(x)) {
      scope.tempAttachAll(x);
      NDArray h; // (B, I, H, W)
      try (NDManager inner = scope.newSubManager()) {
        inner.tempAttachAll(x);
        h = inner.ret(silu(norm.forward(x)));
      }
      return scope.ret(conv.forward(h)); // (B, O, H, W)
    }
  }

  /**
   * {@link #normSiluConv(GroupNormLayer, ConvLayer, NDArray)} as one scripted call when {@code
   * script} is not null (3×3 padding-1 convolutions only: the output heads).
   *
   * @param x (B, I, H, W)
   * @return (B, O, H, W)
   */
  static NDArray normSiluConv(
      GroupNormLayer norm, ConvLayer conv, NDArray x, VaeBlockScript script) {
    if (script == null) {
      return normSiluConv(norm, conv, x);
    }
    List<NDArray> p = new ArrayList<>(4);
    norm.appendTo(p);
    conv.appendTo(p);
    return script.normSiluConv(
        x, norm.groups(), GroupNormLayer.EPS, p.get(0), p.get(1), p.get(2), p.get(3));
  }

  /**
   * The indices at which {@code NDArray.split(long[], axis)} cuts an axis of length {@code total}
   * into pieces of {@code chunk} (the last one shorter); empty if one piece suffices.
   */
  static long[] splitPoints(long total, int chunk) {
    if (chunk <= 0) {
      throw new IllegalArgumentException("chunk must be positive, got " + chunk);
    }
    long[] points = new long[(int) Math.max(0, (total - 1) / chunk)];
    for (int i = 0; i < points.length; i++) {
      points[i] = (long) (i + 1) * chunk;
    }
    return points;
  }
}
