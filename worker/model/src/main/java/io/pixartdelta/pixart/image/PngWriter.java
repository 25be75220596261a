package io.pixartdelta.pixart.image;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A small, fast PNG encoder for 8-bit grayscale, RGB and RGBA images, on {@link Deflater} and
 * {@link CRC32}. It writes the signature, IHDR, the zlib stream split into IDAT chunks of at most
 * {@link #IDAT_CHUNK_BYTES}, and IEND — the same chunk set as the JDK's ImageIO writer — plus, when
 * asked, text chunks ({@code tEXt}, or {@code iTXt} for text beyond Latin-1) between IHDR and the
 * first IDAT, written once into the same buffer.
 *
 * <p>Speed comes from three choices the JDK writer does not make: one fixed row filter instead of
 * trying all five on every row, tight loops over byte rows (no per-pixel {@code getRGB}), and
 * filtered rows streamed straight into the deflater, whose output lands in the final file buffer.
 * Immutable and thread-safe: each call has its own {@link Deflater}, released before returning.
 *
 * @param level deflate level 0 (stored, fastest, largest) to 9 (smallest, slowest)
 * @param filter the row filter applied to every row
 * @param strategy the deflate strategy
 */
public record PngWriter(int level, RowFilter filter, DeflateStrategy strategy) {
  /** Upper bound of one IDAT chunk's data; larger zlib streams are split across chunks. */
  public static final int IDAT_CHUNK_BYTES = 256 * 1024;

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final byte[] IHDR = ascii("IHDR");
  private static final byte[] IDAT = ascii("IDAT");
  private static final byte[] IEND = ascii("IEND");
  private static final byte[] TEXT = ascii("tEXt");
  private static final byte[] ITXT = ascii("iTXt");
  private static final int COLOR_GRAY = 0;
  private static final int COLOR_RGB = 2;
  private static final int COLOR_RGBA = 6;

  /** Filtered rows handed to the deflater per call: enough to amortise the JNI crossing. */
  private static final int INPUT_BLOCK_BYTES = 64 * 1024;

  /** PNG row filters (PNG specification §9.2); the enum order is the filter-type byte. */
  public enum RowFilter {
    /** The raw bytes. */
    NONE,
    /** Difference to the same channel of the pixel to the left. */
    SUB,
    /** Difference to the same byte of the row above. */
    UP,
    /** Difference to the mean of left and above. */
    AVERAGE,
    /**
     * Difference to whichever of left, above and upper-left is closest to left + above −
     * upper-left.
     */
    PAETH;

    /** The filter-type byte that starts each row (PNG specification, section 9.2). */
    byte type() {
      return switch (this) {
        case NONE -> 0;
        case SUB -> 1;
        case UP -> 2;
        case AVERAGE -> 3;
        case PAETH -> 4;
      };
    }
  }

  /** Deflate strategies of {@link Deflater}. */
  public enum DeflateStrategy {
    /** LZ77 matching plus Huffman coding. */
    DEFAULT(Deflater.DEFAULT_STRATEGY),
    /** zlib's tuning for filtered data: short matches are coded as literals. */
    FILTERED(Deflater.FILTERED),
    /**
     * Huffman coding only, no matching (levels 1..9 then behave alike): fast, and on grainy
     * filtered images smaller than with matching.
     */
    HUFFMAN_ONLY(Deflater.HUFFMAN_ONLY);

    private final int zlibValue;

    DeflateStrategy(int zlibValue) {
      this.zlibValue = zlibValue;
    }
  }

  public PngWriter {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("level must be in 0..9, got " + level);
    }
    if (filter == null) {
      throw new IllegalArgumentException("filter is required");
    }
    if (strategy == null) {
      throw new IllegalArgumentException("strategy is required");
    }
  }

  /**
   * The writer this project recommends for a deflate level, chosen from measurements on render-like
   * images (BENCHMARKS.md §3, {@code ImageEncoderBenchmark}):
   *
   * <ul>
   *   <li>0: stored, {@link RowFilter#NONE} (filtering cannot shrink uncompressed data);
   *   <li>1: {@link RowFilter#AVERAGE} with {@link DeflateStrategy#HUFFMAN_ONLY}: the fastest
   *       compressed setting and, on renders with fine grain, as small as any level (LZ matches in
   *       noise cost more bits than they save);
   *   <li>2..9: {@link RowFilter#AVERAGE} with zlib's {@link DeflateStrategy#DEFAULT} strategy at
   *       that level: LZ matching shrinks flat regions (plain backgrounds, graphics) further, but
   *       on grainy images it costs time without saving bytes, much more so from level 4 up.
   * </ul>
   */
  public static PngWriter ofLevel(int level) {
    if (level == 0) {
      return new PngWriter(0, RowFilter.NONE, DeflateStrategy.DEFAULT);
    }
    return new PngWriter(
        level,
        RowFilter.AVERAGE,
        level == 1 ? DeflateStrategy.HUFFMAN_ONLY : DeflateStrategy.DEFAULT);
  }

  /**
   * Encodes a {@link BufferedImage}. {@code TYPE_INT_RGB} (what {@link ImagePostprocess} makes) and
   * {@code TYPE_INT_ARGB} are read row by row from the raster, {@code TYPE_BYTE_GRAY} becomes an
   * 8-bit gray PNG with the raster's samples; any other type is written as the 8-bit sRGB values
   * {@link BufferedImage#getRGB} returns, with an alpha channel if the color model has one.
   */
  public byte[] write(BufferedImage image) {
    return write(image, Map.of());
  }

  /**
   * Encodes a {@link BufferedImage} like {@link #write(BufferedImage)}, with one text chunk per
   * entry of {@code text} (in its iteration order): {@code tEXt} when keyword and text are Latin-1,
   * otherwise an uncompressed {@code iTXt} with UTF-8 text.
   *
   * @param text keyword → text; keywords are 1..79 printable Latin-1 characters without leading,
   *     trailing or double spaces (PNG specification §11.3.4.2); NUL characters in texts are
   *     dropped
   */
  public byte[] write(BufferedImage image, Map<String, String> text) {
    if (image == null) {
      throw new IllegalArgumentException("image is required");
    }
    List<Chunk> textChunks = textChunks(text);
    int width = image.getWidth();
    int height = image.getHeight();
    WritableRaster raster = image.getRaster();
    return switch (image.getType()) {
      case BufferedImage.TYPE_INT_RGB ->
          encode(width, height, COLOR_RGB, packedRows(raster, 3), textChunks);
      case BufferedImage.TYPE_INT_ARGB ->
          encode(width, height, COLOR_RGBA, packedRows(raster, 4), textChunks);
      case BufferedImage.TYPE_BYTE_GRAY ->
          encode(width, height, COLOR_GRAY, grayRows(raster), textChunks);
      default -> {
        boolean alpha = image.getColorModel().hasAlpha();
        yield encode(
            width, height, alpha ? COLOR_RGBA : COLOR_RGB, rgbRows(image, alpha), textChunks);
      }
    };
  }

  /**
   * Encodes interleaved 8-bit RGB.
   *
   * @param rgb (H, W, 3) row-major R, G, B bytes, exactly {@code 3·width·height} of them
   */
  public byte[] writeRgb(byte[] rgb, int width, int height) {
    return encode(width, height, COLOR_RGB, byteRows(rgb, width, height, 3), NO_TEXT);
  }

  /**
   * Encodes 8-bit grayscale.
   *
   * @param gray (H, W) row-major bytes, exactly {@code width·height} of them
   */
  public byte[] writeGray(byte[] gray, int width, int height) {
    return encode(width, height, COLOR_GRAY, byteRows(gray, width, height, 1), NO_TEXT);
  }

  /** Fills {@code dst} with row {@code y}'s unfiltered bytes. */
  private interface RowSource {
    void read(int y, byte[] dst);
  }

  private static RowSource packedRows(WritableRaster raster, int channels) {
    int[] pixels = new int[raster.getWidth()];
    return (y, dst) -> {
      raster.getDataElements(0, y, pixels.length, 1, pixels); // 0xAARRGGBB (alpha unused for RGB)
      int o = 0;
      for (int p : pixels) {
        dst[o] = (byte) (p >>> 16);
        dst[o + 1] = (byte) (p >>> 8);
        dst[o + 2] = (byte) p;
        if (channels == 4) {
          dst[o + 3] = (byte) (p >>> 24);
        }
        o += channels;
      }
    };
  }

  private static RowSource grayRows(WritableRaster raster) {
    int width = raster.getWidth();
    return (y, dst) -> raster.getDataElements(0, y, width, 1, dst);
  }

  private static RowSource rgbRows(BufferedImage image, boolean alpha) {
    int width = image.getWidth();
    int[] argb = new int[width];
    int channels = alpha ? 4 : 3;
    return (y, dst) -> {
      image.getRGB(0, y, width, 1, argb, 0, width);
      int o = 0;
      for (int p : argb) {
        dst[o] = (byte) (p >>> 16);
        dst[o + 1] = (byte) (p >>> 8);
        dst[o + 2] = (byte) p;
        if (alpha) {
          dst[o + 3] = (byte) (p >>> 24);
        }
        o += channels;
      }
    };
  }

  private static RowSource byteRows(byte[] data, int width, int height, int channels) {
    if (data == null) {
      throw new IllegalArgumentException("pixel data is required");
    }
    requireSize(width, height);
    long expected = (long) width * height * channels;
    if (data.length != expected) {
      throw new IllegalArgumentException(
          "expected "
              + expected
              + " bytes for "
              + width
              + "x"
              + height
              + "x"
              + channels
              + ", got "
              + data.length);
    }
    int rowBytes = width * channels;
    return (y, dst) -> System.arraycopy(data, y * rowBytes, dst, 0, rowBytes);
  }

  private static void requireSize(int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "width and height must be positive, got " + width + "x" + height);
    }
  }

  /** A chunk ready to write: its type and data. */
  private record Chunk(byte[] type, byte[] data) {}

  private static final List<Chunk> NO_TEXT = List.of();

  private static List<Chunk> textChunks(Map<String, String> text) {
    if (text == null) {
      throw new IllegalArgumentException("text is required (empty for none)");
    }
    List<Chunk> chunks = new ArrayList<>(text.size());
    for (Map.Entry<String, String> entry : text.entrySet()) {
      chunks.add(textChunk(entry.getKey(), entry.getValue()));
    }
    return chunks;
  }

  private static Chunk textChunk(String keyword, String text) {
    if (keyword == null
        || !keyword.matches("[\\x20-\\x7e\\xa1-\\xff]{1,79}")
        || keyword.startsWith(" ")
        || keyword.endsWith(" ")
        || keyword.contains("  ")) {
      throw new IllegalArgumentException("invalid PNG text keyword '" + keyword + "'");
    }
    if (text == null) {
      throw new IllegalArgumentException("text of '" + keyword + "' must not be null");
    }
    String clean = text.replace("\0", "");
    Charset latin1 = StandardCharsets.ISO_8859_1;
    byte[] key = keyword.getBytes(latin1);
    boolean plain = latin1.newEncoder().canEncode(clean);
    // tEXt: keyword NUL text. iTXt: keyword NUL, compression flag 0, method 0, empty language
    // tag NUL, empty translated keyword NUL, UTF-8 text.
    byte[] body = clean.getBytes(plain ? latin1 : StandardCharsets.UTF_8);
    byte[] data = new byte[key.length + (plain ? 1 : 5) + body.length];
    System.arraycopy(key, 0, data, 0, key.length);
    System.arraycopy(body, 0, data, data.length - body.length, body.length);
    return new Chunk(plain ? TEXT : ITXT, data);
  }

  private byte[] encode(
      int width, int height, int colorType, RowSource rows, List<Chunk> textChunks) {
    requireSize(width, height);
    int channels = colorType == COLOR_GRAY ? 1 : (colorType == COLOR_RGB ? 3 : 4);
    long rowBytesLong = (long) width * channels;
    if (rowBytesLong + 1 > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("image too wide for PNG encoding: " + width + " px");
    }
    int rowBytes = (int) rowBytesLong;
    long raw = (rowBytes + 1L) * height;
    // Stored blocks cost 5 bytes per 64 KiB; compressed output is usually well under half.
    long textBytes = 0;
    for (Chunk chunk : textChunks) {
      textBytes += chunk.data().length + 12L;
    }
    long estimate = 64 + textBytes + (level == 0 ? raw + raw / 8192 + 64 : raw / 2);
    if (estimate > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException(
          "image too large for PNG encoding: " + width + "x" + height);
    }
    FileBuffer out = new FileBuffer((int) estimate);
    out.put(SIGNATURE);
    byte[] header = new byte[13];
    putInt(header, 0, width);
    putInt(header, 4, height);
    header[8] = 8; // bit depth
    header[9] = (byte) colorType;
    // header[10..12] = 0: deflate compression, adaptive filtering method, no interlace
    out.chunk(IHDR, header);
    for (Chunk chunk : textChunks) {
      out.chunk(chunk.type(), chunk.data());
    }

    Deflater deflater = new Deflater(level);
    try {
      deflater.setStrategy(strategy.zlibValue);
      IdatStream idat = new IdatStream(out, deflater);
      byte[] previous = new byte[rowBytes]; // the row above the first one counts as zeros
      byte[] current = new byte[rowBytes];
      int rowsPerBlock = Math.max(1, INPUT_BLOCK_BYTES / (rowBytes + 1));
      byte[] block = new byte[Math.min(rowsPerBlock, height) * (rowBytes + 1)];
      int filled = 0;
      for (int y = 0; y < height; y++) {
        rows.read(y, current);
        filterRow(filter, current, previous, rowBytes, channels, block, filled);
        filled += rowBytes + 1;
        if (filled == block.length || y == height - 1) {
          idat.deflate(block, filled);
          filled = 0;
        }
        byte[] swap = previous;
        previous = current;
        current = swap;
      }
      idat.finish();
    } finally {
      deflater.end();
    }
    out.chunk(IEND, new byte[0]);
    return out.toByteArray();
  }

  /**
   * Writes one filtered row: the filter-type byte, then {@code length} filtered bytes.
   *
   * @param bpp bytes per pixel: the distance to "the same channel of the pixel to the left"
   */
  static void filterRow(
      RowFilter filter, byte[] cur, byte[] prev, int length, int bpp, byte[] out, int offset) {
    out[offset] = filter.type();
    int o = offset + 1;
    int first = Math.min(bpp, length); // bytes with no left neighbour
    switch (filter) {
      case NONE -> System.arraycopy(cur, 0, out, o, length);
      case SUB -> {
        System.arraycopy(cur, 0, out, o, first);
        for (int i = first; i < length; i++) {
          out[o + i] = (byte) (cur[i] - cur[i - bpp]);
        }
      }
      case UP -> {
        for (int i = 0; i < length; i++) {
          out[o + i] = (byte) (cur[i] - prev[i]);
        }
      }
      case AVERAGE -> {
        for (int i = 0; i < first; i++) {
          out[o + i] = (byte) (cur[i] - ((prev[i] & 0xFF) >>> 1));
        }
        for (int i = first; i < length; i++) {
          out[o + i] = (byte) (cur[i] - (((cur[i - bpp] & 0xFF) + (prev[i] & 0xFF)) >>> 1));
        }
      }
      case PAETH -> {
        for (int i = 0; i < first; i++) {
          out[o + i] = (byte) (cur[i] - prev[i]); // left = upper-left = 0: predicts "above"
        }
        for (int i = first; i < length; i++) {
          int a = cur[i - bpp] & 0xFF;
          int b = prev[i] & 0xFF;
          int c = prev[i - bpp] & 0xFF;
          int pa = Math.abs(b - c); // |p − a| with p = a + b − c
          int pb = Math.abs(a - c); // |p − b|
          int pc = Math.abs(a + b - c - c); // |p − c|
          // Branch-free select (noisy rows defeat branch prediction): x ^ ((x ^ y) & m) is y when
          // the mask m is −1 and x when it is 0; (u − v) >> 31 is −1 exactly when u < v.
          int pcBelowPb = (pc - pb) >> 31;
          int bOrC = b ^ ((b ^ c) & pcBelowPb); // b if pb <= pc, else c
          int minBc = pb ^ ((pb ^ pc) & pcBelowPb);
          int predicted = a ^ ((a ^ bOrC) & ((minBc - pa) >> 31)); // a if pa <= min(pb, pc)
          out[o + i] = (byte) (cur[i] - predicted);
        }
      }
    }
  }

  /**
   * Streams the deflater's output into IDAT chunks inside the file buffer, patching each chunk's
   * length and CRC when it is closed.
   */
  private static final class IdatStream {
    private final FileBuffer out;
    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private int chunkStart = -1; // offset of the open chunk's length field, −1 if none

    IdatStream(FileBuffer out, Deflater deflater) {
      this.out = out;
      this.deflater = deflater;
    }

    void deflate(byte[] input, int length) {
      deflater.setInput(input, 0, length);
      while (!deflater.needsInput()) {
        drainOnce();
      }
    }

    void finish() {
      deflater.finish();
      while (!deflater.finished()) {
        drainOnce();
      }
      if (chunkStart >= 0) {
        if (out.size == chunkStart + 8) {
          out.size = chunkStart; // drop an empty trailing chunk
        } else {
          close();
        }
      }
    }

    private void drainOnce() {
      int room = chunkStart < 0 ? 0 : IDAT_CHUNK_BYTES - (out.size - chunkStart - 8);
      if (room == 0) {
        if (chunkStart >= 0) {
          close();
        }
        chunkStart = out.size;
        out.reserve(8);
        putInt(out.bytes, out.size, 0); // length patched by close()
        System.arraycopy(IDAT, 0, out.bytes, out.size + 4, 4);
        out.size += 8;
        room = IDAT_CHUNK_BYTES;
      }
      int want = Math.min(room, 64 * 1024);
      out.reserve(want);
      out.size += deflater.deflate(out.bytes, out.size, want);
    }

    private void close() {
      int length = out.size - chunkStart - 8;
      putInt(out.bytes, chunkStart, length);
      crc.reset();
      crc.update(out.bytes, chunkStart + 4, length + 4); // type and data
      out.reserve(4);
      putInt(out.bytes, out.size, (int) crc.getValue());
      out.size += 4;
      chunkStart = -1;
    }
  }

  /** A growable byte array holding the file being written. */
  private static final class FileBuffer {
    byte[] bytes;
    int size;

    FileBuffer(int capacity) {
      bytes = new byte[Math.max(64, capacity)];
    }

    void reserve(int extra) {
      long needed = (long) size + extra;
      if (needed > bytes.length) {
        if (needed > Integer.MAX_VALUE - 16) {
          throw new IllegalArgumentException("encoded PNG would exceed 2 GiB");
        }
        long grown = Math.max(needed, Math.min(Integer.MAX_VALUE - 16L, 2L * bytes.length));
        bytes = Arrays.copyOf(bytes, (int) grown);
      }
    }

    void put(byte[] data) {
      reserve(data.length);
      System.arraycopy(data, 0, bytes, size, data.length);
      size += data.length;
    }

    /** A complete chunk: length, type, data, CRC-32 of type and data. */
    void chunk(byte[] type, byte[] data) {
      reserve(12 + data.length);
      putInt(bytes, size, data.length);
      System.arraycopy(type, 0, bytes, size + 4, 4);
      System.arraycopy(data, 0, bytes, size + 8, data.length);
      CRC32 crc = new CRC32();
      crc.update(bytes, size + 4, 4 + data.length);
      putInt(bytes, size + 8 + data.length, (int) crc.getValue());
      size += 12 + data.length;
    }

    byte[] toByteArray() {
      return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
  }

  private static void putInt(byte[] dst, int offset, int value) {
    dst[offset] = (byte) (value >>> 24);
    dst[offset + 1] = (byte) (value >>> 16);
    dst[offset + 2] = (byte) (value >>> 8);
    dst[offset + 3] = (byte) value;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
