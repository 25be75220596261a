package io.pixartdelta.pixart.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.image.AspectRatioBins.Bin;

/**
 * A control image resized and cropped to its resolution bin, as float RGB in [0, 1].
 *
 * @param bin the size the image now has, and the size to generate at
 * @param sourceHeight height of the decoded image, to resize the generated image back to
 * @param sourceWidth width of the decoded image
 * @param pixels (3, H, W) row-major, H×W = bin height × width; owned by this object, do not modify
 */
public record PreparedControlImage(Bin bin, int sourceHeight, int sourceWidth, float[] pixels) {
  public PreparedControlImage {
    if (bin == null) {
      throw new IllegalArgumentException("bin is required");
    }
    if (sourceHeight <= 0 || sourceWidth <= 0) {
      throw new IllegalArgumentException(
          "sourceHeight and sourceWidth must be positive, got " + sourceHeight + "x" + sourceWidth);
    }
    if (pixels == null || pixels.length != 3L * bin.height() * bin.width()) {
      throw new IllegalArgumentException(
          "pixels must hold 3x" + bin.height() + "x" + bin.width() + " values");
    }
  }

  public int height() {
    return bin.height();
  }

  public int width() {
    return bin.width();
  }

  /** The image as a float32 batch of one, (1, 3, H, W), owned by {@code manager}. */
  public NDArray toNDArray(NDManager manager) {
    return manager.create(pixels, new Shape(1, 3, bin.height(), bin.width()));
  }
}
