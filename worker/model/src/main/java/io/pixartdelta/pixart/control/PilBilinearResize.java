package io.pixartdelta.pixart.control;

/**
 * Pillow's {@code Image.resize(size, Image.BILINEAR)} on 8-bit RGB images, which is what
 * torchvision's {@code Resize} does to a PIL image: a separable triangle filter whose support grows
 * with the downscale factor, so shrinking averages over every covered input pixel (antialiasing)
 * instead of sampling two.
 *
 * <p>Per axis, with scale s = in/out and f = max(s, 1): output pixel i is centred at c = (i +
 * 0.5)·s in input coordinates and reads inputs j in [⌊c − f + 0.5⌋, ⌊c + f + 0.5⌋) ∩ [0, in) with
 * weights tri((j + 0.5 − c)/f), tri(t) = max(0, 1 − |t|), normalised to sum 1. When upscaling (f =
 * 1) this is ordinary bilinear interpolation with half-pixel centres and edge clamping.
 *
 * <p>To match Pillow's 8-bit output bit for bit the weights are rounded to 22-bit fixed point, each
 * sum starts at half a unit (round half up), and the result is clipped to 0..255. The horizontal
 * pass runs first and its result is stored as 8-bit before the vertical pass, as in Pillow; a pass
 * is skipped when its axis keeps its size.
 *
 * <p>Unlike Pillow, only a window of the output is computed: the caller crops anyway, and an
 * extreme aspect ratio would otherwise make the full resized image enormous. Each output pixel
 * depends only on its own index, so the window equals the same window of the full result.
 */
final class PilBilinearResize {
  static final int PRECISION_BITS = 22;
  private static final int HALF = 1 << (PRECISION_BITS - 1);
  private static final double ONE = 1 << PRECISION_BITS;

  private PilBilinearResize() {}

  /**
   * The fixed-point filter of one axis for output indices {@code first .. first + count − 1}.
   *
   * @param start first input index read by each output index
   * @param weights the weights of inputs {@code start[k] ..} (each row sums to about 2²²)
   */
  record AxisFilter(int[] start, int[][] weights) {
    /** Smallest input index read. */
    int lowest() {
      int m = Integer.MAX_VALUE;
      for (int s : start) {
        m = Math.min(m, s);
      }
      return m;
    }

    /** One past the largest input index read. */
    int highest() {
      int m = 0;
      for (int k = 0; k < start.length; k++) {
        m = Math.max(m, start[k] + weights[k].length);
      }
      return m;
    }
  }

  /** The triangle filter of an {@code in → out} resize, for a window of the output. */
  static AxisFilter filter(int in, long out, long first, int count) {
    double scale = (double) in / out;
    double filterScale = Math.max(scale, 1.0);
    double support = filterScale; // the triangle's support (1) stretched when downscaling
    int[] start = new int[count];
    int[][] weights = new int[count][];
    for (int k = 0; k < count; k++) {
      double center = (first + k + 0.5) * scale;
      // C's (int) truncation of the rounded bounds, as Pillow computes them.
      int lo = Math.max((int) (center - support + 0.5), 0);
      int hi = Math.min((int) (center + support + 0.5), in);
      double[] w = new double[Math.max(hi - lo, 0)];
      double total = 0;
      for (int j = 0; j < w.length; j++) {
        w[j] = triangle((lo + j - center + 0.5) / filterScale);
        total += w[j];
      }
      int[] fixed = new int[w.length];
      for (int j = 0; j < w.length; j++) {
        double normalised = total != 0 ? w[j] / total : w[j];
        fixed[j] = (int) (0.5 + normalised * ONE);
      }
      start[k] = lo;
      weights[k] = fixed;
    }
    return new AxisFilter(start, weights);
  }

  private static double triangle(double t) {
    double a = Math.abs(t);
    return a < 1.0 ? 1.0 - a : 0.0;
  }

  /** The whole {@code outHeight × outWidth} resize. */
  static RgbImage resize(RgbImage src, int outHeight, int outWidth) {
    return resizeWindow(src, outHeight, outWidth, 0, 0, outHeight, outWidth);
  }

  /**
   * Rows {@code top .. top + height − 1} and columns {@code left .. left + width − 1} of the image
   * resized to {@code outHeight × outWidth}; the window must lie inside the resized image.
   */
  static RgbImage resizeWindow(
      RgbImage src, long outHeight, long outWidth, long top, long left, int height, int width) {
    if (outHeight <= 0 || outWidth <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException("sizes must be positive");
    }
    if (top < 0 || left < 0 || top + height > outHeight || left + width > outWidth) {
      throw new IllegalArgumentException(
          "window outside the " + outHeight + "x" + outWidth + " resized image");
    }
    boolean horizontal = outWidth != src.width();
    boolean vertical = outHeight != src.height();
    AxisFilter rows = vertical ? filter(src.height(), outHeight, top, height) : null;
    int rowFirst = vertical ? rows.lowest() : (int) top;
    int rowEnd = vertical ? rows.highest() : (int) top + height;

    // Horizontal pass over the source rows the vertical pass (or the window) needs.
    byte[] mid; // (rowEnd − rowFirst, width, 3)
    if (horizontal) {
      AxisFilter cols = filter(src.width(), outWidth, left, width);
      mid = horizontalPass(src, rowFirst, rowEnd, cols);
    } else {
      mid = copyRows(src, rowFirst, rowEnd, (int) left, width);
    }
    if (!vertical) {
      return RgbImage.wrap(height, width, mid);
    }
    return RgbImage.wrap(height, width, verticalPass(mid, width, rowFirst, rows));
  }

  private static byte[] horizontalPass(RgbImage src, int rowFirst, int rowEnd, AxisFilter cols) {
    byte[] in = src.data();
    int inWidth = src.width();
    int outWidth = cols.start().length;
    byte[] out = new byte[(rowEnd - rowFirst) * outWidth * 3];
    for (int y = rowFirst; y < rowEnd; y++) {
      int inRow = y * inWidth * 3;
      int outRow = (y - rowFirst) * outWidth * 3;
      for (int x = 0; x < outWidth; x++) {
        int[] k = cols.weights()[x];
        int base = inRow + cols.start()[x] * 3;
        int r = HALF;
        int g = HALF;
        int b = HALF;
        for (int j = 0; j < k.length; j++) {
          int p = base + j * 3;
          r += (in[p] & 0xFF) * k[j];
          g += (in[p + 1] & 0xFF) * k[j];
          b += (in[p + 2] & 0xFF) * k[j];
        }
        int o = outRow + x * 3;
        out[o] = clip8(r);
        out[o + 1] = clip8(g);
        out[o + 2] = clip8(b);
      }
    }
    return out;
  }

  private static byte[] verticalPass(byte[] mid, int width, int rowFirst, AxisFilter rows) {
    int height = rows.start().length;
    byte[] out = new byte[height * width * 3];
    int stride = width * 3;
    for (int y = 0; y < height; y++) {
      int[] k = rows.weights()[y];
      int base = (rows.start()[y] - rowFirst) * stride;
      for (int i = 0; i < stride; i++) {
        int s = HALF;
        for (int j = 0; j < k.length; j++) {
          s += (mid[base + j * stride + i] & 0xFF) * k[j];
        }
        out[y * stride + i] = clip8(s);
      }
    }
    return out;
  }

  private static byte[] copyRows(RgbImage src, int rowFirst, int rowEnd, int left, int width) {
    byte[] in = src.data();
    byte[] out = new byte[(rowEnd - rowFirst) * width * 3];
    for (int y = rowFirst; y < rowEnd; y++) {
      System.arraycopy(
          in, (y * src.width() + left) * 3, out, (y - rowFirst) * width * 3, width * 3);
    }
    return out;
  }

  private static byte clip8(int fixed) {
    int v = fixed >> PRECISION_BITS;
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }
}
