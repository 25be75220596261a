package io.pixartdelta.pixart.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.List;

/**
 * Decoded tensor → 8-bit RGB exactly as diffusers' {@code VaeImageProcessor.postprocess} with
 * output type "pil" ({@code image_processor.py} @58eb52c): v = clamp(x·0.5 + 0.5, 0, 1) in float32,
 * then round(v·255) with ties to even (NumPy's {@code round}), channels 0, 1, 2 as R, G, B.
 */
public final class ImagePostprocess {
  private ImagePostprocess() {}

  /**
   * One {@link BufferedImage#TYPE_INT_RGB} image per batch row. The arithmetic runs on the array's
   * device (the same float32 operations as {@link #denormalize} and {@link #quantize}, so the
   * result is bit-identical) and the packed 0xRRGGBB pixels cross to the host in one copy: on a GPU
   * the host never loops over float pixels and moves a quarter of the float bytes.
   *
   * @param decoded (B, 3, H, W) decoder output, nominally in [−1, 1], any float type (converted to
   *     float32 first)
   * @throws IllegalArgumentException if the shape is not (B, 3, H, W)
   */
  public static List<BufferedImage> toRgb8(NDArray decoded) {
    Shape shape = decoded.getShape();
    if (shape.dimension() != 4 || shape.get(1) != 3) {
      throw new IllegalArgumentException("expected a (B, 3, H, W) image tensor, got " + shape);
    }
    int batch = Math.toIntExact(shape.get(0));
    int height = Math.toIntExact(shape.get(2));
    int width = Math.toIntExact(shape.get(3));
    int[] packed;
    try (NDManager scope = decoded.getManager().newSubManager()) {
      scope.tempAttachAll(decoded);
      NDArray x = decoded.toType(DataType.FLOAT32, false); // (B, 3, H, W)
      NDArray unit = x.mul(0.5f).add(0.5f).clip(0f, 1f); // (B, 3, H, W) in [0, 1]
      NDArray levels = unit.mul(255f).round(); // (B, 3, H, W) ties to even, as NumPy
      levels = NDArrays.where(levels.eq(levels), levels, scope.zeros(new Shape(1))); // NaN → 0
      NDList rgb = levels.toType(DataType.INT32, false).split(3, 1); // 3 × (B, 1, H, W)
      NDArray pixels = rgb.get(0).mul(1 << 16).add(rgb.get(1).mul(1 << 8)).add(rgb.get(2));
      packed = pixels.toIntArray(); // (B, 1, H, W) 0xRRGGBB
    }
    int plane = height * width;
    List<BufferedImage> images = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      int[] target = ((DataBufferInt) image.getRaster().getDataBuffer()).getData(); // row-major
      System.arraycopy(packed, b * plane, target, 0, plane);
      images.add(image);
    }
    return images;
  }

  /**
   * A TYPE_INT_RGB image from one image's R, G and B planes of values in [0, 1] (already
   * denormalized, e.g. diffusers' output type "np"), starting at {@code offset}.
   */
  public static BufferedImage toImage(float[] unitPlanes, int offset, int height, int width) {
    int plane = height * width;
    if (offset < 0 || unitPlanes.length - offset < 3 * plane) {
      throw new IllegalArgumentException(
          "need 3 planes of " + height + "x" + width + " values from offset " + offset);
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData(); // row-major
    for (int p = 0; p < plane; p++) {
      int r = quantize(unitPlanes[offset + p]);
      int g = quantize(unitPlanes[offset + plane + p]);
      int b = quantize(unitPlanes[offset + 2 * plane + p]);
      pixels[p] = (r << 16) | (g << 8) | b;
    }
    return image;
  }

  /** clamp(x·0.5 + 0.5, 0, 1) in float32: decoder range [−1, 1] to [0, 1]. */
  public static float denormalize(float x) {
    return clampUnit(x * 0.5f + 0.5f);
  }

  /**
   * round(clamp(v, 0, 1)·255) with ties to even, as NumPy rounds before {@code astype(uint8)}. NaN
   * maps to 0.
   */
  public static int quantize(float unit) {
    float scaled = clampUnit(unit) * 255f;
    return Float.isNaN(scaled) ? 0 : (int) Math.rint(scaled);
  }

  private static float clampUnit(float v) {
    return v < 0f ? 0f : (v > 1f ? 1f : v); // NaN passes through
  }
}
