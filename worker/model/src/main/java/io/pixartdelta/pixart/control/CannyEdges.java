package io.pixartdelta.pixart.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Canny edge detection in plain Java, for {@code control.type = "canny"} jobs (no weights needed).
 *
 * <p>Steps, on a 0–255 grey image: optional Gaussian blur (σ = {@link Options#blurSigma()}, border
 * mirrored without repeating the edge pixel); 3×3 Sobel gradients (border replicated); magnitude
 * |gx| + |gy| (or the Euclidean norm); non-maximum suppression along the gradient direction
 * quantised to 0°, 45°, 90°, 135°, with OpenCV's tie rule (strictly greater than the neighbour
 * before, at least the one after; outside the image counts as 0); double threshold (weak: magnitude
 * &gt; low, strong: &gt; high); hysteresis: weak pixels 8-connected to a strong one become edges.
 * With {@code blurSigma = 0} this is the algorithm of OpenCV's {@code cv2.Canny(img, low, high)}
 * (aperture 3, L1 gradient), which applies no blur itself.
 *
 * <p>RGB is reduced to grey with OpenCV's 8-bit rule Y = (4899·R + 9617·G + 1868·B + 2¹³) >> 14
 * (Rec. 601 weights in 14-bit fixed point). Stateless and thread-safe.
 */
public final class CannyEdges {
  // tan(22.5°) as OpenCV's 15-bit fixed-point constant, and tan(67.5°) = tan(22.5°) + 2.
  private static final double TAN_22_5 = 13573 / 32768.0;
  private static final double TAN_67_5 = TAN_22_5 + 2;

  // Pixel states after non-maximum suppression (0: not an edge).
  private static final byte WEAK = 1;
  private static final byte STRONG = 2;

  /**
   * Canny settings.
   *
   * @param lowThreshold weak-edge threshold on the gradient magnitude of a 0–255 image (default
   *     100, as commonly used with OpenCV): lower it to keep fainter continuations of edges
   * @param highThreshold strong-edge threshold (default 200): edges start only where the magnitude
   *     exceeds it; lower it for more, shorter edges
   * @param blurSigma Gaussian blur before the gradients, in pixels (default 1.0, suppresses noise
   *     and JPEG artefacts); 0 turns it off and reproduces OpenCV
   * @param l2Gradient use sqrt(gx² + gy²) instead of |gx| + |gy| (default false, as OpenCV)
   */
  public record Options(
      double lowThreshold, double highThreshold, double blurSigma, boolean l2Gradient) {
    public Options {
      if (!(lowThreshold >= 0) || !(highThreshold >= lowThreshold)) {
        throw new IllegalArgumentException(
            "need 0 <= lowThreshold <= highThreshold, got "
                + lowThreshold
                + " and "
                + highThreshold);
      }
      if (!(blurSigma >= 0) || blurSigma > 32) {
        throw new IllegalArgumentException("blurSigma must be in [0, 32], got " + blurSigma);
      }
    }

    /** Thresholds 100/200, blur σ 1, L1 gradient. */
    public static Options defaults() {
      return new Options(100, 200, 1.0, false);
    }

    /** These options with other thresholds. */
    public Options withThresholds(double low, double high) {
      return new Options(low, high, blurSigma, l2Gradient);
    }

    /** These options with another blur. */
    public Options withBlurSigma(double sigma) {
      return new Options(lowThreshold, highThreshold, sigma, l2Gradient);
    }
  }

  private final Options options;

  public CannyEdges(Options options) {
    if (options == null) {
      throw new IllegalArgumentException("options are required");
    }
    this.options = options;
  }

  /** A detector with {@link Options#defaults()}. */
  public static CannyEdges withDefaults() {
    return new CannyEdges(Options.defaults());
  }

  public Options options() {
    return options;
  }

  /**
   * Edge maps of a batch of RGB images.
   *
   * @param image (B, 3, H, W) in [0, 1] (values are rounded to 8 bits first, as the reference works
   *     on 8-bit images)
   * @return (B, 1, H, W) float32, 1 on edges and 0 elsewhere, attached to the image's manager
   */
  public NDArray detect(NDArray image) {
    Shape s = image.getShape();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(0) == 0) {
      throw new IllegalArgumentException("image must be (B, 3, H, W) with B > 0, got " + s);
    }
    int b = Math.toIntExact(s.get(0));
    int h = Math.toIntExact(s.get(2));
    int w = Math.toIntExact(s.get(3));
    int plane = h * w;
    float[] rgb; // (B, 3, H, W)
    try (NDManager scope = image.getManager().newSubManager()) {
      scope.tempAttachAll(image);
      rgb = image.toType(DataType.FLOAT32, false).toFloatArray();
    }
    float[] out = new float[b * plane]; // (B, 1, H, W)
    float[] grey = new float[plane];
    for (int n = 0; n < b; n++) {
      int base = n * 3 * plane;
      for (int i = 0; i < plane; i++) {
        grey[i] =
            luma8(
                to8bit(rgb[base + i]),
                to8bit(rgb[base + plane + i]),
                to8bit(rgb[base + 2 * plane + i]));
      }
      boolean[] edges = detect(grey, h, w);
      for (int i = 0; i < plane; i++) {
        out[n * plane + i] = edges[i] ? 1f : 0f;
      }
    }
    return image.getManager().create(out, new Shape(b, 1, h, w));
  }

  /**
   * Edges of one grey image.
   *
   * @param grey (H, W) row-major, values on the 0–255 scale
   * @return (H, W) row-major, true on edge pixels
   */
  public boolean[] detect(float[] grey, int height, int width) {
    if (height <= 0 || width <= 0 || grey.length != height * width) {
      throw new IllegalArgumentException(
          grey.length + " values for a " + height + "x" + width + " image");
    }
    float[] smooth = options.blurSigma() > 0 ? gaussianBlur(grey, height, width) : grey;
    float[] gx = new float[grey.length];
    float[] gy = new float[grey.length];
    float[] magnitude = new float[grey.length];
    sobel(smooth, height, width, gx, gy, magnitude);
    byte[] state = suppressNonMaxima(gx, gy, magnitude, height, width);
    return hysteresis(state, height, width);
  }

  /** OpenCV's 8-bit RGB → grey rule (Rec. 601 weights, 14-bit fixed point, rounded). */
  static int luma8(int r, int g, int b) {
    return (4899 * r + 9617 * g + 1868 * b + (1 << 13)) >> 14;
  }

  private static int to8bit(float v) {
    return Math.max(0, Math.min(255, Math.round(v * 255f)));
  }

  private float[] gaussianBlur(float[] src, int h, int w) {
    double sigma = options.blurSigma();
    int radius = Math.max(1, (int) Math.ceil(3 * sigma));
    double[] k = new double[2 * radius + 1];
    double total = 0;
    for (int i = -radius; i <= radius; i++) {
      k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
      total += k[i + radius];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= total;
    }
    float[] tmp = new float[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double acc = 0;
        for (int i = -radius; i <= radius; i++) {
          acc += k[i + radius] * src[y * w + reflect101(x + i, w)];
        }
        tmp[y * w + x] = (float) acc;
      }
    }
    float[] out = new float[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double acc = 0;
        for (int i = -radius; i <= radius; i++) {
          acc += k[i + radius] * tmp[reflect101(y + i, h) * w + x];
        }
        out[y * w + x] = (float) acc;
      }
    }
    return out;
  }

  /** Mirror index into [0, n) without repeating the border pixel (…, 2, 1, 0, 1, 2, …). */
  static int reflect101(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }

  private void sobel(float[] p, int h, int w, float[] gx, float[] gy, float[] magnitude) {
    for (int y = 0; y < h; y++) {
      int up = Math.max(y - 1, 0) * w;
      int mid = y * w;
      int down = Math.min(y + 1, h - 1) * w;
      for (int x = 0; x < w; x++) {
        int left = Math.max(x - 1, 0);
        int right = Math.min(x + 1, w - 1);
        float dx =
            (p[up + right] + 2 * p[mid + right] + p[down + right])
                - (p[up + left] + 2 * p[mid + left] + p[down + left]);
        float dy =
            (p[down + left] + 2 * p[down + x] + p[down + right])
                - (p[up + left] + 2 * p[up + x] + p[up + right]);
        int i = mid + x;
        gx[i] = dx;
        gy[i] = dy;
        magnitude[i] =
            options.l2Gradient()
                ? (float) Math.sqrt((double) dx * dx + (double) dy * dy)
                : Math.abs(dx) + Math.abs(dy);
      }
    }
  }

  /** Thin ridges to one pixel and classify the survivors as weak or strong. */
  private byte[] suppressNonMaxima(float[] gx, float[] gy, float[] mag, int h, int w) {
    byte[] state = new byte[mag.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        float m = mag[i];
        if (!(m > options.lowThreshold())) {
          continue;
        }
        double ax = Math.abs(gx[i]);
        double ay = Math.abs(gy[i]);
        boolean peak;
        if (ay < TAN_22_5 * ax) { // gradient roughly horizontal: compare left and right
          peak = m > at(mag, y, x - 1, h, w) && m >= at(mag, y, x + 1, h, w);
        } else if (ay > TAN_67_5 * ax) { // roughly vertical: compare above and below
          peak = m > at(mag, y - 1, x, h, w) && m >= at(mag, y + 1, x, h, w);
        } else { // diagonal: along (1, 1) if gx and gy share a sign, else along (1, −1)
          int s = (gx[i] < 0) == (gy[i] < 0) ? 1 : -1;
          peak = m > at(mag, y - 1, x - s, h, w) && m > at(mag, y + 1, x + s, h, w);
        }
        if (peak) {
          state[i] = m > options.highThreshold() ? STRONG : WEAK;
        }
      }
    }
    return state;
  }

  private static float at(float[] mag, int y, int x, int h, int w) {
    return y < 0 || y >= h || x < 0 || x >= w ? 0f : mag[y * w + x];
  }

  /** Grows strong edges into 8-connected weak pixels. */
  private static boolean[] hysteresis(byte[] state, int h, int w) {
    boolean[] edge = new boolean[state.length];
    int[] stack = new int[state.length];
    int top = 0;
    for (int i = 0; i < state.length; i++) {
      if (state[i] == STRONG) {
        edge[i] = true;
        stack[top++] = i;
      }
    }
    while (top > 0) {
      int i = stack[--top];
      int y = i / w;
      int x = i % w;
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          int ny = y + dy;
          int nx = x + dx;
          if (ny < 0 || ny >= h || nx < 0 || nx >= w) {
            continue;
          }
          int j = ny * w + nx;
          if (!edge[j] && state[j] == WEAK) {
            edge[j] = true;
            stack[top++] = j;
          }
        }
      }
    }
    return edge;
  }
}
