package io.pixartdelta.pixart.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Back from the trained bin size to the requested size (diffusers {@code resize_and_crop_tensor},
 * the last step of {@code PixArtAlphaPipeline.__call__}; {@code image_processor.py} @58eb52c):
 * scale uniformly so the image covers the request, with ratio = max(h/H, w/W) and sizes
 * int(H·ratio) × int(W·ratio); bilinear interpolation with {@code align_corners=False} and no
 * antialiasing; then a centred crop.
 *
 * <p>The bilinear resize is written out here rather than taken from an engine so its semantics are
 * fixed: output index d reads the input at s = (d + 0.5)·(in/out) − 0.5 clamped at 0, i.e. rows ⌊s⌋
 * and ⌊s⌋ + 1 (the last row repeated at the border) weighted 1 − frac(s) and frac(s), the same per
 * axis, as PyTorch's {@code upsample_bilinear2d} computes with sizes given. It is applied as two
 * small matrix products, width first then height, and only the rows and columns that survive the
 * crop are computed.
 *
 * <p>One deliberate difference: where float truncation makes int(H·ratio) one pixel smaller than
 * the request (diffusers would then return an image one row or column short, which happens for a
 * few percent of sizes), the resized dimension is set to the requested one.
 */
public final class ResizeAndCrop {
  private ResizeAndCrop() {}

  /**
   * Resizes and crops every image of the batch to {@code height × width}.
   *
   * @param image (B, C, H, W), any float type
   * @return (B, C, height, width) in float32, attached to {@code image}'s manager; {@code image}
   *     itself when it already has the requested size
   * @throws IllegalArgumentException if the tensor is not 4-D or a size is not positive
   */
  public static NDArray apply(NDArray image, int height, int width) {
    Shape shape = image.getShape();
    if (shape.dimension() != 4) {
      throw new IllegalArgumentException("expected a (B, C, H, W) tensor, got " + shape);
    }
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "height and width must be positive, got " + height + "x" + width);
    }
    int inHeight = Math.toIntExact(shape.get(2));
    int inWidth = Math.toIntExact(shape.get(3));
    if (inHeight == height && inWidth == width) {
      return image;
    }
    double ratio = Math.max((double) height / inHeight, (double) width / inWidth);
    int resizedHeight = Math.max(height, (int) (inHeight * ratio));
    int resizedWidth = Math.max(width, (int) (inWidth * ratio));
    int top = (resizedHeight - height) / 2;
    int left = (resizedWidth - width) / 2;

    try (NDManager scope = image.getManager().newSubManager()) {
      scope.tempAttachAll(image);
      NDArray x = image.toType(DataType.FLOAT32, false); // (B, C, H, W)
      // Columns: (B, C, H, W) · (W, w) → (B, C, H, w).
      float[] columnWeights = weights(inWidth, resizedWidth, left, width);
      NDArray columns = scope.create(columnWeights, new Shape(width, inWidth)).transpose();
      NDArray narrowed = x.matMul(columns); // (B, C, H, w)
      // Rows: (h, H) · (B, C, H, w) → (B, C, h, w).
      float[] rowWeights = weights(inHeight, resizedHeight, top, height);
      NDArray rows = scope.create(rowWeights, new Shape(height, inHeight));
      NDArray out = rows.matMul(narrowed); // (B, C, h, w)
      return scope.ret(out);
    }
  }

  /**
   * Interpolation matrix (count, in), row-major: row k holds the weights with which output index
   * {@code first + k} of an {@code in → out} bilinear resize reads the inputs.
   */
  static float[] weights(int in, int out, int first, int count) {
    float[] m = new float[count * in];
    float scale = (float) in / out; // PyTorch: float(input_size) / output_size
    for (int k = 0; k < count; k++) {
      int d = first + k;
      float source = Math.max(scale * (d + 0.5f) - 0.5f, 0f);
      int i0 = Math.min((int) source, in - 1);
      int i1 = i0 < in - 1 ? i0 + 1 : i0;
      float lambda1 = Math.min(Math.max(source - i0, 0f), 1f);
      float lambda0 = 1f - lambda1;
      m[k * in + i0] += lambda0;
      m[k * in + i1] += lambda1;
    }
    return m;
  }
}
