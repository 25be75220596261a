package io.pixartdelta.pixart.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes RGB images to PNG with {@link PngWriter} or to JPEG with the JDK's ImageIO writer.
 * Immutable and thread-safe: each call uses its own deflater or ImageIO writer.
 *
 * <p>PNG: {@link PngWriter#ofLevel} picks the row filter and deflate strategy for the level. At
 * 1024² the default level costs about a fifth of the CPU time of the ImageIO PNG writer at its own
 * default, with files about half the size on render-like images (BENCHMARKS.md §3).
 *
 * <p>{@link #encode(BufferedImage, ImageParameters)} also embeds how the image was made: PNG text
 * chunks ({@link ImageParameters#textEntries()}), or for JPEG a comment (COM) segment holding
 * {@link ImageParameters#parametersText()} in UTF-8.
 */
public final class ImageEncoder {
  /**
   * Default PNG deflate level: Huffman-only coding after the Average filter, the fastest compressed
   * setting and on grainy renders as small as the slow levels (see {@link PngWriter#ofLevel}).
   */
  public static final int DEFAULT_PNG_LEVEL = 1;

  /** JPEG quality used when a job does not give one. */
  public static final int DEFAULT_JPEG_QUALITY = 90;

  /** A COM segment's payload limit: its 16-bit length field also counts itself. */
  private static final int MAX_COMMENT_BYTES = 65_533;

  private final ImageCodec format;
  private final int setting; // deflate level (PNG) or quality 1..100 (JPEG)
  private final PngWriter png; // null for JPEG

  private ImageEncoder(ImageCodec format, int setting, PngWriter png) {
    this.format = format;
    this.setting = setting;
    this.png = png;
  }

  /**
   * PNG with the given deflate level.
   *
   * @param deflateLevel 0 (stored, fastest, largest) to 9 (smallest, slowest); see {@link
   *     PngWriter#ofLevel} for what each level selects
   */
  public static ImageEncoder png(int deflateLevel) {
    if (deflateLevel < 0 || deflateLevel > 9) {
      throw new IllegalArgumentException("deflateLevel must be in 0..9, got " + deflateLevel);
    }
    return new ImageEncoder(ImageCodec.PNG, deflateLevel, PngWriter.ofLevel(deflateLevel));
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
    return new ImageEncoder(ImageCodec.JPEG, quality, null);
  }

  public ImageCodec format() {
    return format;
  }

  /**
   * Encodes one image.
   *
   * @param image RGB, ideally {@link BufferedImage#TYPE_INT_RGB} (the fast path); PNG also takes
   *     gray and alpha images, JPEG cannot store alpha
   * @throws IllegalArgumentException for an image with an alpha channel when encoding JPEG
   */
  public EncodedImage encode(BufferedImage image) {
    return encode(image, null);
  }

  /**
   * Encodes one image with its parameters embedded.
   *
   * @param parameters what to embed, or null for a file without metadata
   * @throws IllegalArgumentException for an image with an alpha channel when encoding JPEG
   */
  public EncodedImage encode(BufferedImage image, ImageParameters parameters) {
    if (png != null) {
      Map<String, String> text = parameters == null ? Map.of() : parameters.textEntries();
      return new EncodedImage(png.write(image, text), ImageCodec.PNG);
    }
    if (image.getColorModel().hasAlpha()) {
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
        param.setCompressionQuality(setting / 100f);
      }
      IIOMetadata metadata =
          parameters == null ? null : jpegComment(writer, image, param, parameters);
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, metadata), param);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding " + format + " failed", e);
    } finally {
      writer.dispose();
    }
    return new EncodedImage(bytes.toByteArray(), format);
  }

  /** The writer's default JPEG metadata plus a COM segment (UTF-8 bytes, so any prompt fits). */
  private static IIOMetadata jpegComment(
      ImageWriter writer, BufferedImage image, ImageWriteParam param, ImageParameters parameters)
      throws IIOInvalidTreeException {
    IIOMetadata metadata =
        writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
    String format = metadata.getNativeMetadataFormatName(); // javax_imageio_jpeg_image_1.0
    IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
    byte[] text = parameters.parametersText().getBytes(StandardCharsets.UTF_8);
    if (text.length > MAX_COMMENT_BYTES) { // job prompts (≤ 2000 code points) always fit
      throw new IllegalArgumentException(
          "parameters take " + text.length + " bytes, a JPEG comment at most " + MAX_COMMENT_BYTES);
    }
    IIOMetadataNode comment = new IIOMetadataNode("com");
    comment.setUserObject(text);
    root.getElementsByTagName("markerSequence").item(0).appendChild(comment);
    metadata.setFromTree(format, root);
    return metadata;
  }

  private static ImageWriter writerFor(ImageCodec format) {
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
        + (format == ImageCodec.PNG ? ", deflate level " : ", quality ")
        + setting
        + "]";
  }
}
