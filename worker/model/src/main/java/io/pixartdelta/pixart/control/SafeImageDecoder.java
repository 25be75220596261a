package io.pixartdelta.pixart.control;

import io.pixartdelta.pixart.control.ControlImageException.Code;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes image bytes with the JDK's ImageIO readers (PNG, JPEG, GIF, BMP, WBMP, TIFF) into an
 * {@link RgbImage}, defensively:
 *
 * <ul>
 *   <li>the encoded size is checked first, then the reader is asked for the dimensions from the
 *       header alone; only if width·height is within {@link ControlImageLimits#maxPixels()} are
 *       pixels decoded, so a small file claiming a huge image (a decompression bomb) costs nothing;
 *   <li>the bytes stay in memory (no ImageIO disk cache), and readers may seek backwards (TIFF
 *       directories can sit at the end of the file);
 *   <li>any decoder warning (e.g. a truncated JPEG, which ImageIO would otherwise return partly
 *       grey) counts as corruption: stricter than PIL, which tolerates some recoverable damage;
 *   <li>every failure becomes a {@link ControlImageException} with a stable code.
 * </ul>
 *
 * <p>Conversion to RGB follows PIL's {@code convert("RGB")}: alpha is dropped without compositing,
 * grey is replicated to three channels, palettes are looked up, and embedded colour profiles are
 * ignored (raw samples are used for grey and RGB rasters). 16-bit samples keep their high byte (PIL
 * does this for 16-bit RGB; for 16-bit grey PIL clips instead, a quirk not reproduced). Other
 * colour spaces (e.g. CMYK TIFF) go through Java's conversion to sRGB. The first frame of
 * multi-frame formats is used, as PIL does; EXIF orientation is ignored, as PIL and torchvision do.
 */
public final class SafeImageDecoder {
  private final ControlImageLimits limits;

  public SafeImageDecoder(ControlImageLimits limits) {
    if (limits == null) {
      throw new IllegalArgumentException("limits are required");
    }
    this.limits = limits;
  }

  /** The limits it checks. */
  public ControlImageLimits limits() {
    return limits;
  }

  /**
   * Image format and dimensions from the header, without decoding pixels.
   *
   * @param format the reader's format name (e.g. "png", "JPEG")
   */
  public record Header(String format, int width, int height) {
    /** Bytes of the decoded {@link RgbImage}: width · height · 3. */
    public long rgbBytes() {
      return (long) width * height * 3;
    }
  }

  /** Reads only the header; refuses data no reader recognises. */
  public Header probe(byte[] bytes) {
    checkBytes(bytes);
    try (ImageInputStream in = open(bytes)) {
      ImageReader reader = readerFor(in);
      try {
        reader.setInput(in, false, true);
        return header(reader);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw asControlException(e);
    }
  }

  /**
   * Reads only the header and checks it against the limits, so a caller can account for the memory
   * the decoded image will take before calling {@link #decode}.
   *
   * @throws ControlImageException if the data is not an image or is over a limit
   */
  public Header probeWithinLimits(byte[] bytes) {
    Header header = probe(bytes);
    checkPixels(header);
    return header;
  }

  /**
   * Decodes the first image in {@code bytes} after checking its header against the limits.
   *
   * @throws ControlImageException if the data is not an acceptable image
   */
  public RgbImage decode(byte[] bytes) {
    checkBytes(bytes);
    try (ImageInputStream in = open(bytes)) {
      ImageReader reader = readerFor(in);
      try {
        reader.setInput(in, false, true);
        Header header = header(reader);
        checkPixels(header);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image = reader.read(0, reader.getDefaultReadParam());
        if (!warnings.isEmpty()) {
          throw new ControlImageException(
              Code.INVALID, "corrupt or truncated " + header.format() + ": " + warnings.get(0));
        }
        if (image.getWidth() != header.width() || image.getHeight() != header.height()) {
          throw new ControlImageException(
              Code.INVALID,
              "decoded "
                  + image.getWidth()
                  + "x"
                  + image.getHeight()
                  + " pixels, the header says "
                  + header.width()
                  + "x"
                  + header.height());
        }
        return toRgb(image);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw asControlException(e);
    }
  }

  private void checkBytes(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new ControlImageException(Code.INVALID, "the control image is empty");
    }
    if (bytes.length > limits.maxBytes()) {
      throw new ControlImageException(
          Code.TOO_LARGE,
          "the control image has " + bytes.length + " bytes, the limit is " + limits.maxBytes());
    }
  }

  private void checkPixels(Header header) {
    long pixels = (long) header.width() * header.height();
    if (pixels > limits.maxPixels()) {
      throw new ControlImageException(
          Code.TOO_LARGE,
          "the control image is "
              + header.width()
              + "x"
              + header.height()
              + " = "
              + pixels
              + " pixels, the limit is "
              + limits.maxPixels());
    }
  }

  private static ImageInputStream open(byte[] bytes) {
    return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
  }

  private static ImageReader readerFor(ImageInputStream in) {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new ControlImageException(
          Code.INVALID, "not an image: no PNG/JPEG/GIF/BMP/TIFF reader recognises the data");
    }
    return readers.next();
  }

  private static Header header(ImageReader reader) throws IOException {
    int width = reader.getWidth(0);
    int height = reader.getHeight(0);
    String format = reader.getFormatName();
    if (width <= 0 || height <= 0) {
      throw new ControlImageException(
          Code.INVALID, "the " + format + " header gives a size of " + width + "x" + height);
    }
    return new Header(format, width, height);
  }

  private static ControlImageException asControlException(Exception e) {
    if (e instanceof ControlImageException) {
      return (ControlImageException) e;
    }
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new ControlImageException(Code.INVALID, "cannot decode the control image: " + detail, e);
  }

  /** PIL-style {@code convert("RGB")}, see the class comment. */
  static RgbImage toRgb(BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(h, w), 3)];
    ColorModel cm = image.getColorModel();
    int colors = cm.getNumColorComponents();
    int space = cm.getColorSpace().getType();
    boolean raw =
        !(cm instanceof IndexColorModel)
            && !cm.isAlphaPremultiplied()
            && ((colors == 1 && space == ColorSpace.TYPE_GRAY)
                || (colors == 3 && space == ColorSpace.TYPE_RGB))
            && sampleBits(cm, colors) > 0;
    if (raw) {
      int shift = sampleBits(cm, colors) - 8;
      Raster raster = image.getRaster();
      int[] row = new int[w];
      for (int c = 0; c < 3; c++) {
        int band = colors == 1 ? 0 : c;
        for (int y = 0; y < h; y++) {
          raster.getSamples(0, y, w, 1, band, row);
          for (int x = 0; x < w; x++) {
            rgb[(y * w + x) * 3 + c] = (byte) (row[x] >>> shift);
          }
        }
      }
    } else {
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          int i = (y * w + x) * 3;
          rgb[i] = (byte) (row[x] >>> 16);
          rgb[i + 1] = (byte) (row[x] >>> 8);
          rgb[i + 2] = (byte) row[x];
        }
      }
    }
    return RgbImage.wrap(h, w, rgb);
  }

  /** 8 or 16 if every colour component has that many bits, else 0. */
  private static int sampleBits(ColorModel cm, int colors) {
    int bits = cm.getComponentSize(0);
    for (int i = 1; i < colors; i++) {
      if (cm.getComponentSize(i) != bits) {
        return 0;
      }
    }
    return bits == 8 || bits == 16 ? bits : 0;
  }
}
