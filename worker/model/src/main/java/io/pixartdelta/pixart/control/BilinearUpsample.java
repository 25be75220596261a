package io.pixartdelta.pixart.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear resize with {@code align_corners=False}, as PyTorch's {@code interpolate(size=...)}
 * computes it: output index d reads the input at s = max((d + 0.5)·in/out − 0.5, 0), rows ⌊s⌋ and
 * ⌊s⌋ + 1 (clamped to the last) weighted 1 − frac(s) and frac(s). Used to bring the HED side
 * outputs up to the image size; when upsampling this equals torchvision's antialiased resize, so
 * the choice of antialias flag in the reference does not matter. Written as two small matrix
 * products (width, then height) so the semantics do not depend on an engine's resize op.
 */
final class BilinearUpsample {
  private BilinearUpsample() {}

  /**
   * (out, in) row-major interpolation matrix: row d holds the weights output d gives each input.
   */
  static float[] matrix(int in, int out) {
    float[] m = new float[out * in];
    float scale = (float) in / out;
    for (int d = 0; d < out; d++) {
      float source = Math.max(scale * (d + 0.5f) - 0.5f, 0f);
      int i0 = Math.min((int) source, in - 1);
      int i1 = Math.min(i0 + 1, in - 1);
      float lambda1 = Math.min(source - i0, 1f);
      m[d * in + i0] += 1f - lambda1;
      m[d * in + i1] += lambda1;
    }
    return m;
  }

  /**
   * Resizes the last two axes of {@code x} to {@code height × width}.
   *
   * @param x (B, C, h, w)
   * @return (B, C, height, width), in x's dtype, attached to x's manager; {@code x} itself if the
   *     size is unchanged
   */
  static NDArray resize(NDArray x, int height, int width) {
    Shape s = x.getShape();
    int h = Math.toIntExact(s.get(2));
    int w = Math.toIntExact(s.get(3));
    if (h == height && w == width) {
      return x;
    }
    try (NDManager scope = x.getManager().newSubManager()) {
      scope.tempAttachAll(x);
      NDArray cols =
          scope
              .create(matrix(w, width), new Shape(width, w))
              .toType(x.getDataType(), false)
              .transpose(); // (w, W)
      NDArray rows =
          scope.create(matrix(h, height), new Shape(height, h)).toType(x.getDataType(), false);
      NDArray wide = x.matMul(cols); // (B, C, h, W)
      return scope.ret(rows.matMul(wide)); // (B, C, H, W)
    }
  }
}
