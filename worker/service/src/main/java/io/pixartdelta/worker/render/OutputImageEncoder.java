package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.image.ImageEncoder;
import io.pixartdelta.pixart.image.ImageParameters;
import java.awt.image.BufferedImage;

/**
 * The worker's output encoder: PNG at the configured deflate level, or JPEG at the job's quality. A
 * thin adapter over the model library's {@link ImageEncoder}, which owns the encoding details (its
 * own PNG writer, ImageIO for JPEG). Thread-safe.
 */
public final class OutputImageEncoder {
  private final ImageEncoder png;

  /**
   * @param pngCompressionLevel zlib deflate level 0 (fastest, largest) .. 9 (slowest, smallest)
   */
  public OutputImageEncoder(int pngCompressionLevel) {
    if (pngCompressionLevel < 0 || pngCompressionLevel > 9) {
      throw new IllegalArgumentException(
          "pngCompressionLevel must be 0..9, got " + pngCompressionLevel);
    }
    this.png = ImageEncoder.png(pngCompressionLevel);
  }

  /**
   * Encodes as PNG.
   *
   * @param parameters text chunks to embed, or null for none
   */
  public byte[] png(BufferedImage image, ImageParameters parameters) {
    return png.encode(image, parameters).bytes();
  }

  /**
   * Encodes as baseline JPEG (alpha dropped).
   *
   * @param quality 1..100
   * @param parameters the comment segment to embed, or null for none
   */
  public byte[] jpeg(BufferedImage image, int quality, ImageParameters parameters) {
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("quality must be 1..100, got " + quality);
    }
    return ImageEncoder.jpeg(quality).encode(toRgb(image), parameters).bytes();
  }

  private static BufferedImage toRgb(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_RGB
        || image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      return image;
    }
    BufferedImage rgb =
        new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    rgb.createGraphics().drawImage(image, 0, 0, null);
    return rgb;
  }
}
