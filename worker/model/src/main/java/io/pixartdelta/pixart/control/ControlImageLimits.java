package io.pixartdelta.pixart.control;

/**
 * What a control image may cost before it is decoded.
 *
 * @param maxPixels largest width·height accepted, checked against the header before any pixel is
 *     decoded (default {@value #DEFAULT_MAX_PIXELS}, 32 MiP: about 128 MB while decoding). Lower it
 *     on small hosts; raise it only if jobs really send photos above ~33 megapixels.
 * @param maxBytes largest encoded size accepted (default {@value #DEFAULT_MAX_BYTES}, 32 MiB); the
 *     fetcher should apply the same limit before downloading
 */
public record ControlImageLimits(long maxPixels, long maxBytes) {
  public static final long DEFAULT_MAX_PIXELS = 1L << 25;
  public static final long DEFAULT_MAX_BYTES = 32L << 20;

  public ControlImageLimits {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
    }
  }

  /** The default limits. */
  public static ControlImageLimits defaults() {
    return new ControlImageLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES);
  }
}
