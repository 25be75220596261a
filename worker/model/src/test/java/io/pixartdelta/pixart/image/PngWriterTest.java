package io.pixartdelta.pixart.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@link PngWriter} output is decoded by an independent decoder (the JDK's ImageIO reader) and
 * compared pixel by pixel; the file structure is checked against the PNG specification.
 */
class PngWriterTest {
  private static final int[][] SIZES = {
    {1, 1}, {2, 1}, {1, 3}, {3, 3}, {7, 5}, {97, 61}, {255, 4}, {4, 255}, {130, 129}
  };

  @Test
  void everyLevelRoundTripsExactlyAtManySizes() {
    for (int[] size : SIZES) {
      BufferedImage image = noisyImage(size[0], size[1], size[0] * 31 + size[1]);
      for (int level = 0; level <= 9; level++) {
        assertSameRgb(decode(PngWriter.ofLevel(level).write(image)), image, "level " + level);
      }
    }
  }

  @Test
  void everyFilterAndStrategyRoundTripsExactly() {
    for (int[] size : SIZES) {
      BufferedImage image = noisyImage(size[0], size[1], size[0] + size[1] * 17);
      for (PngWriter.RowFilter filter : PngWriter.RowFilter.values()) {
        for (PngWriter.DeflateStrategy strategy : PngWriter.DeflateStrategy.values()) {
          for (int level : new int[] {0, 1, 9}) {
            PngWriter writer = new PngWriter(level, filter, strategy);
            assertSameRgb(decode(writer.write(image)), image, writer.toString());
          }
        }
      }
    }
  }

  @Test
  void largeAndNonSquareImagesRoundTripExactly() {
    int[][] sizes = {{1024, 1024}, {1024, 576}, {333, 1027}};
    BufferedImage image = ImageEncoderBenchmark.photoLike(1027);
    for (int[] size : sizes) {
      BufferedImage cropped = image.getSubimage(1027 - size[0], 0, size[0], size[1]);
      for (int level : new int[] {0, 1, 4, 9}) {
        byte[] png = PngWriter.ofLevel(level).write(cropped);
        assertSameRgb(decode(png), cropped, size[0] + "x" + size[1] + " level " + level);
      }
    }
  }

  @Test
  void tinyPipelineRendersRoundTripExactly() {
    for (BufferedImage image : ImageEncoderBenchmark.tinyPipelineImages()) {
      for (int level = 0; level <= 9; level++) {
        assertSameRgb(decode(PngWriter.ofLevel(level).write(image)), image, "level " + level);
      }
    }
  }

  @Test
  void chunksFollowTheSpecification() throws DataFormatException {
    int width = 1024;
    int height = 700;
    BufferedImage image = noisyImage(width, height, 5);
    for (int level : new int[] {0, 1, 9}) {
      PngWriter writer = PngWriter.ofLevel(level);
      List<Chunk> chunks = parse(writer.write(image));

      Chunk ihdr = chunks.get(0);
      assertThat(ihdr.type).isEqualTo("IHDR");
      ByteBuffer header = ByteBuffer.wrap(ihdr.data);
      assertThat(header.remaining()).isEqualTo(13);
      assertThat(header.getInt()).isEqualTo(width);
      assertThat(header.getInt()).isEqualTo(height);
      assertThat(header.get()).as("bit depth").isEqualTo((byte) 8);
      assertThat(header.get()).as("color type RGB").isEqualTo((byte) 2);
      assertThat(header.get()).as("compression").isZero();
      assertThat(header.get()).as("filter method").isZero();
      assertThat(header.get()).as("interlace").isZero();

      Chunk iend = chunks.get(chunks.size() - 1);
      assertThat(iend.type).isEqualTo("IEND");
      assertThat(iend.data).isEmpty();
      assertThat(iend.crc).isEqualTo(0xAE426082); // the constant every PNG ends with

      List<Chunk> idats = chunks.subList(1, chunks.size() - 1);
      assertThat(idats).isNotEmpty().allSatisfy(c -> assertThat(c.type).isEqualTo("IDAT"));
      assertThat(idats)
          .allSatisfy(c -> assertThat(c.data.length).isBetween(1, PngWriter.IDAT_CHUNK_BYTES));
      ByteArrayOutputStream zlib = new ByteArrayOutputStream();
      idats.forEach(c -> zlib.writeBytes(c.data));
      if (level == 0) {
        // 3 MB stored: split over several chunks, all but the last one full.
        assertThat(idats.size()).isGreaterThan(1);
        assertThat(idats.subList(0, idats.size() - 1))
            .allSatisfy(c -> assertThat(c.data.length).isEqualTo(PngWriter.IDAT_CHUNK_BYTES));
      }

      // The IDAT stream is one complete zlib stream (Inflater checks the Adler-32) of exactly
      // height rows of 1 + 3·width bytes, each starting with the configured filter type.
      byte[] filtered = inflate(zlib.toByteArray(), height * (1 + 3 * width));
      for (int y = 0; y < height; y++) {
        assertThat(filtered[y * (1 + 3 * width)]).isEqualTo(writer.filter().type());
      }
    }
  }

  @Test
  void writesNoMetadataChunksLikeTheImageIoWriter() {
    List<String> ours = types(parse(PngWriter.ofLevel(4).write(noisyImage(40, 30, 1))));
    List<String> imageIo = types(parse(ImageEncoderBenchmark.imageIoPng(noisyImage(40, 30, 1), 4)));
    assertThat(ours).containsExactly("IHDR", "IDAT", "IEND");
    assertThat(imageIo).containsExactly("IHDR", "IDAT", "IEND");
  }

  @Test
  void grayImagesKeepTheirSamples() {
    BufferedImage gray = new BufferedImage(37, 11, BufferedImage.TYPE_BYTE_GRAY);
    Random random = new Random(3);
    for (int y = 0; y < 11; y++) {
      for (int x = 0; x < 37; x++) {
        gray.getRaster().setSample(x, y, 0, random.nextInt(256));
      }
    }
    byte[] png = PngWriter.ofLevel(6).write(gray);
    assertThat(parse(png).get(0).data[9]).as("color type gray").isEqualTo((byte) 0);
    BufferedImage back = decode(png);
    assertThat(back.getRaster().getNumBands()).isEqualTo(1);
    for (int y = 0; y < 11; y++) {
      for (int x = 0; x < 37; x++) {
        assertThat(back.getRaster().getSample(x, y, 0))
            .isEqualTo(gray.getRaster().getSample(x, y, 0));
      }
    }
  }

  @Test
  void rawGrayAndRgbBuffersMatchTheirImages() {
    int width = 19;
    int height = 7;
    byte[] rgb = new byte[width * height * 3];
    byte[] gray = new byte[width * height];
    new Random(4).nextBytes(rgb);
    new Random(5).nextBytes(gray);
    BufferedImage fromRgb = decode(PngWriter.ofLevel(1).writeRgb(rgb, width, height));
    BufferedImage fromGray = decode(PngWriter.ofLevel(1).writeGray(gray, width, height));
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = (y * width + x) * 3;
        int expected = ((rgb[i] & 0xFF) << 16) | ((rgb[i + 1] & 0xFF) << 8) | (rgb[i + 2] & 0xFF);
        assertThat(fromRgb.getRGB(x, y) & 0xFFFFFF).isEqualTo(expected);
        assertThat(fromGray.getRaster().getSample(x, y, 0)).isEqualTo(gray[y * width + x] & 0xFF);
      }
    }
  }

  @Test
  void alphaAndOtherImageTypesKeepTheirColors() {
    Random random = new Random(6);
    BufferedImage argb = new BufferedImage(23, 9, BufferedImage.TYPE_INT_ARGB);
    BufferedImage bgr = new BufferedImage(23, 9, BufferedImage.TYPE_3BYTE_BGR);
    BufferedImage abgr = new BufferedImage(23, 9, BufferedImage.TYPE_4BYTE_ABGR);
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 23; x++) {
        argb.setRGB(x, y, random.nextInt());
        bgr.setRGB(x, y, random.nextInt());
        abgr.setRGB(x, y, random.nextInt());
      }
    }
    byte[] rgbPalette = {0, (byte) 255, 10};
    BufferedImage indexed =
        new BufferedImage(
            5,
            4,
            BufferedImage.TYPE_BYTE_INDEXED,
            new IndexColorModel(8, 3, rgbPalette, rgbPalette, rgbPalette));
    indexed.getRaster().setSample(2, 1, 0, 1);
    for (BufferedImage image : List.of(argb, bgr, abgr, indexed)) {
      BufferedImage back = decode(PngWriter.ofLevel(3).write(image));
      assertThat(back.getColorModel().hasAlpha()).isEqualTo(image.getColorModel().hasAlpha());
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          assertThat(back.getRGB(x, y))
              .as("type %d", image.getType())
              .isEqualTo(image.getRGB(x, y));
        }
      }
    }
  }

  @Test
  void levelsTradeTimeForSizeAsDocumented() {
    BufferedImage grainy = ImageEncoderBenchmark.photoLike(256);
    BufferedImage flat = ImageEncoderBenchmark.flatBackground(256);
    int stored = PngWriter.ofLevel(0).write(grainy).length;
    assertThat(stored).isGreaterThan(3 * 256 * 256); // stored rows: ≥ 3 bytes a pixel
    assertThat(PngWriter.ofLevel(1).write(grainy).length).isLessThan(stored / 2);
    // LZ matching (levels ≥ 2) pays off on flat regions, more so at higher levels.
    int huffmanOnly = PngWriter.ofLevel(1).write(flat).length;
    int fast = PngWriter.ofLevel(2).write(flat).length;
    int best = PngWriter.ofLevel(9).write(flat).length;
    assertThat(fast).isLessThan(huffmanOnly);
    assertThat(best).isLessThanOrEqualTo(fast);
  }

  @Test
  void rejectsBadArgumentsClearly() {
    PngWriter writer = PngWriter.ofLevel(1);
    assertThatThrownBy(() -> PngWriter.ofLevel(-1)).hasMessageContaining("level must be in 0..9");
    assertThatThrownBy(() -> PngWriter.ofLevel(10)).hasMessageContaining("level must be in 0..9");
    assertThatThrownBy(() -> new PngWriter(1, null, PngWriter.DeflateStrategy.DEFAULT))
        .hasMessageContaining("filter");
    assertThatThrownBy(() -> new PngWriter(1, PngWriter.RowFilter.UP, null))
        .hasMessageContaining("strategy");
    assertThatThrownBy(() -> writer.write(null)).hasMessageContaining("image");
    assertThatThrownBy(() -> writer.writeRgb(new byte[12], 2, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 18 bytes");
    assertThatThrownBy(() -> writer.writeGray(new byte[0], 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> writer.writeRgb(null, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pixel data");
  }

  /**
   * Per-pixel noise on smooth ramps: exercises every filter's arithmetic, including wrap-around.
   */
  static BufferedImage noisyImage(int width, int height, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = (x * 255 / Math.max(1, width - 1) + random.nextInt(40)) & 0xFF;
        int g = (y * 255 / Math.max(1, height - 1)) ^ random.nextInt(4);
        int b = random.nextInt(256);
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  private static BufferedImage decode(byte[] png) {
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      assertThat(image).as("ImageIO could not decode the PNG").isNotNull();
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertSameRgb(BufferedImage actual, BufferedImage expected, String what) {
    int width = expected.getWidth();
    int height = expected.getHeight();
    assertThat(actual.getWidth()).as(what).isEqualTo(width);
    assertThat(actual.getHeight()).as(what).isEqualTo(height);
    int[] want = expected.getRGB(0, 0, width, height, null, 0, width);
    int[] got = actual.getRGB(0, 0, width, height, null, 0, width);
    assertThat(got).as("%s, %dx%d", what, width, height).isEqualTo(want);
  }

  private record Chunk(String type, byte[] data, int crc) {}

  /** Splits a PNG into chunks, checking the signature and every chunk's CRC on the way. */
  private static List<Chunk> parse(byte[] png) {
    ByteBuffer in = ByteBuffer.wrap(png);
    byte[] signature = new byte[8];
    in.get(signature);
    assertThat(signature).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n');
    List<Chunk> chunks = new ArrayList<>();
    while (in.hasRemaining()) {
      int length = in.getInt();
      byte[] typeAndData = new byte[4 + length];
      in.get(typeAndData);
      int crc = in.getInt();
      CRC32 expected = new CRC32();
      expected.update(typeAndData);
      String type = new String(typeAndData, 0, 4, StandardCharsets.US_ASCII);
      assertThat(crc).as("CRC of %s", type).isEqualTo((int) expected.getValue());
      byte[] data = new byte[length];
      System.arraycopy(typeAndData, 4, data, 0, length);
      chunks.add(new Chunk(type, data, crc));
    }
    return chunks;
  }

  private static List<String> types(List<Chunk> chunks) {
    return chunks.stream().map(Chunk::type).toList();
  }

  private static byte[] inflate(byte[] zlib, int expectedLength) throws DataFormatException {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(zlib);
      byte[] out = new byte[expectedLength + 1];
      int n = 0;
      while (!inflater.finished() && n < out.length) {
        int got = inflater.inflate(out, n, out.length - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += got;
      }
      assertThat(inflater.finished()).as("zlib stream complete").isTrue();
      assertThat(inflater.getRemaining()).as("bytes after the zlib stream").isZero();
      assertThat(n).as("inflated length").isEqualTo(expectedLength);
      return out;
    } finally {
      inflater.end();
    }
  }
}
