package io.pixartdelta.pixart.image;

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
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes RGB images to PNG or JPEG with the JDK's ImageIO writers. Immutable and thread-safe: each
 * call uses its own writer.
 *
 * <p>PNG: the JDK writer maps the explicit compression quality q to deflate level 9 − round(9·q),
 * so the level is set exactly through {@link ImageWriteParam}; level 0 stores without compression.
 * At 1024² its adaptive per-row filtering costs tens of milliseconds per image, more at high levels
 * (see {@code ImageEncoderBenchmark} in the tests).
 */
public final class ImageEncoder {
  /** The JDK PNG writer's own default deflate level. */
  public static final int DEFAULT_PNG_LEVEL = 4;

  /** JPEG quality used when a job does not give one. */
  public static final int DEFAULT_JPEG_QUALITY = 90;

  private final ImageFormat format;
  private final int setting; // deflate level (PNG) or quality 1..100 (JPEG)
  private final float compressionQuality; // ImageIO's 0..1 knob for that setting

  private ImageEncoder(ImageFormat format, int setting, float compressionQuality) {
    this.format = format;
    this.setting = setting;
    this.compressionQuality = compressionQuality;
  }

  /**
   * PNG with the given deflate level.
   *
   * @param deflateLevel 0 (stored, fastest, largest) to 9 (smallest, slowest)
   */
  public static ImageEncoder png(int deflateLevel) {
    if (deflateLevel < 0 || deflateLevel > 9) {
      throw new IllegalArgumentException("deflateLevel must be in 0..9, got " + deflateLevel);
    }
    return new ImageEncoder(ImageFormat.PNG, deflateLevel, (9 - deflateLevel) / 9f);
  }

  /**
   * Baseline JPEG.
   *
   * @param quality 1 (smallest) to 100 (best), as in common image tools
   */
  public static ImageEncoder jpeg(int quality) {
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("quality must be in 1..100, got " + quality);
    }
    return new ImageEncoder(ImageFormat.JPEG, quality, quality / 100f);
  }

  public ImageFormat format() {
    return format;
  }

  /**
   * Encodes one image.
   *
   * @param image RGB without alpha (e.g. {@link BufferedImage#TYPE_INT_RGB}; JPEG cannot store
   *     alpha)
   * @throws IllegalArgumentException for an image with an alpha channel when encoding JPEG
   */
  public EncodedImage encode(BufferedImage image) {
    if (format == ImageFormat.JPEG && image.getColorModel().hasAlpha()) {
      throw new IllegalArgumentException("JPEG cannot encode an image with alpha");
    }
    ImageWriter writer = writerFor(format);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight());
    // In memory: ImageIO.createImageOutputStream would spill to a temporary file when its cache is
    // on.
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (param.canWriteCompressed()) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(compressionQuality);
      }
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding " + format + " failed", e);
    } finally {
      writer.dispose();
    }
    return new EncodedImage(bytes.toByteArray(), format);
  }

  private static ImageWriter writerFor(ImageFormat format) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByMIMEType(format.contentType());
    if (!writers.hasNext()) {
      throw new IllegalStateException("no ImageIO writer for " + format.contentType());
    }
    return writers.next();
  }

  @Override
  public String toString() {
    return "ImageEncoder["
        + format
        + (format == ImageFormat.PNG ? ", deflate level " : ", quality ")
        + setting
        + "]";
  }
}
