package io.pixartdelta.worker.render;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Encodes images with the JDK's ImageIO: PNG with a chosen deflate level, or JPEG with a chosen
 * quality. Thread-safe (a new writer per call).
 */
public final class ImageEncoder {
  private final int pngCompressionLevel;

  /**
   * @param pngCompressionLevel zlib deflate level 0 (fastest, largest) .. 9 (slowest, smallest)
   */
  public ImageEncoder(int pngCompressionLevel) {
    if (pngCompressionLevel < 0 || pngCompressionLevel > 9) {
      throw new IllegalArgumentException(
          "pngCompressionLevel must be 0..9, got " + pngCompressionLevel);
    }
    this.pngCompressionLevel = pngCompressionLevel;
  }

  /** Encodes as PNG. */
  public byte[] png(BufferedImage image) {
    ImageWriter writer = writer("png");
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    // The JDK PNG writer maps quality q to deflate level 9 - round(9 q).
    param.setCompressionQuality((9 - pngCompressionLevel) / 9f);
    return write(writer, param, image);
  }

  /**
   * Encodes as baseline JPEG (alpha dropped).
   *
   * @param quality 1..100
   */
  public byte[] jpeg(BufferedImage image, int quality) {
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("quality must be 1..100, got " + quality);
    }
    ImageWriter writer = writer("jpeg");
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(quality / 100f);
    return write(writer, param, toRgb(image));
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

  private static ImageWriter writer(String format) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    if (!writers.hasNext()) {
      throw new IllegalStateException("no ImageIO writer for " + format);
    }
    return writers.next();
  }

  private static byte[] write(ImageWriter writer, ImageWriteParam param, BufferedImage image) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight());
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("image encoding failed", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
