package io.pixartdelta.pixart.image;

import java.util.List;

/**
 * Resolution binning: PixArt-XL-1024 models were trained on a fixed set of sizes of about 1024²
 * pixels, one per aspect ratio, so a request is rendered at the trained size closest in aspect
 * ratio and resized back afterwards (diffusers {@code ASPECT_RATIO_1024_BIN} and {@code
 * classify_height_width_bin}: {@code pipelines/pixart_alpha/pipeline_pixart_alpha.py} and {@code
 * image_processor.py} @58eb52c). With binning off, the requested size is used as is and must fit
 * the transformer's patch grid.
 */
public final class AspectRatioBins {
  /** Latent 8× downscale times patch size 2: sizes must be multiples of this without binning. */
  public static final int SIZE_MULTIPLE = 16;

  /** Key used for {@link #unbinned} sizes, which come from no table entry. */
  public static final String UNBINNED_KEY = "unbinned";

  /**
   * One trained size.
   *
   * @param key the table key, the rounded ratio height/width as written in diffusers (e.g. "0.57"),
   *     or {@link #UNBINNED_KEY}
   * @param height pixels
   * @param width pixels
   */
  public record Bin(String key, int height, int width) {
    public Bin {
      if (key == null || key.isEmpty()) {
        throw new IllegalArgumentException("key is required");
      }
      if (height <= 0 || width <= 0) {
        throw new IllegalArgumentException("height and width must be positive");
      }
    }

    /**
     * height/width of the bin itself: the {@code aspect_ratio} micro-condition diffusers passes to
     * the transformer (768/1344 = 0.5714…, not the key 0.57).
     */
    public double aspectRatio() {
      return (double) height / width;
    }
  }

  private static final AspectRatioBins PIXART_1024 =
      new AspectRatioBins(
          List.of(
              new Bin("0.25", 512, 2048),
              new Bin("0.28", 512, 1856),
              new Bin("0.32", 576, 1792),
              new Bin("0.33", 576, 1728),
              new Bin("0.35", 576, 1664),
              new Bin("0.4", 640, 1600),
              new Bin("0.42", 640, 1536),
              new Bin("0.48", 704, 1472),
              new Bin("0.5", 704, 1408),
              new Bin("0.52", 704, 1344),
              new Bin("0.57", 768, 1344),
              new Bin("0.6", 768, 1280),
              new Bin("0.68", 832, 1216),
              new Bin("0.72", 832, 1152),
              new Bin("0.78", 896, 1152),
              new Bin("0.82", 896, 1088),
              new Bin("0.88", 960, 1088),
              new Bin("0.94", 960, 1024),
              new Bin("1.0", 1024, 1024),
              new Bin("1.07", 1024, 960),
              new Bin("1.13", 1088, 960),
              new Bin("1.21", 1088, 896),
              new Bin("1.29", 1152, 896),
              new Bin("1.38", 1152, 832),
              new Bin("1.46", 1216, 832),
              new Bin("1.67", 1280, 768),
              new Bin("1.75", 1344, 768),
              new Bin("2.0", 1408, 704),
              new Bin("2.09", 1472, 704),
              new Bin("2.4", 1536, 640),
              new Bin("2.5", 1600, 640),
              new Bin("3.0", 1728, 576),
              new Bin("4.0", 2048, 512)));

  private final List<Bin> bins;
  private final double[] keys;

  private AspectRatioBins(List<Bin> bins) {
    this.bins = List.copyOf(bins);
    this.keys = new double[bins.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = Double.parseDouble(bins.get(i).key());
    }
  }

  /** The 33 bins of the 1024-pixel PixArt models, in diffusers' table order. */
  public static AspectRatioBins pixart1024() {
    return PIXART_1024;
  }

  /** The bins in table order. */
  public List<Bin> bins() {
    return bins;
  }

  /**
   * The bin whose key is closest to height/width; on a tie the earlier bin in table order wins, as
   * with Python's {@code min} in diffusers.
   *
   * @throws IllegalArgumentException if a dimension is not positive
   */
  public Bin classify(int height, int width) {
    requirePositive(height, width);
    double ratio = (double) height / width;
    int best = 0;
    double bestDistance = Math.abs(keys[0] - ratio);
    for (int i = 1; i < keys.length; i++) {
      double distance = Math.abs(keys[i] - ratio);
      if (distance < bestDistance) {
        best = i;
        bestDistance = distance;
      }
    }
    return bins.get(best);
  }

  /**
   * The requested size itself, for jobs with binning off.
   *
   * @throws IllegalArgumentException if a dimension is not a positive multiple of {@value
   *     #SIZE_MULTIPLE}
   */
  public static Bin unbinned(int height, int width) {
    requirePositive(height, width);
    if (height % SIZE_MULTIPLE != 0 || width % SIZE_MULTIPLE != 0) {
      throw new IllegalArgumentException(
          "height and width must be multiples of "
              + SIZE_MULTIPLE
              + " when resolution binning is off (8× VAE downscale × 2×2 patches), got "
              + height
              + "x"
              + width);
    }
    return new Bin(UNBINNED_KEY, height, width);
  }

  /** {@link #classify} when {@code binning}, else {@link #unbinned}. */
  public Bin resolve(int height, int width, boolean binning) {
    return binning ? classify(height, width) : unbinned(height, width);
  }

  private static void requirePositive(int height, int width) {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "height and width must be positive, got " + height + "x" + width);
    }
  }
}
