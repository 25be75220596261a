package io.pixartdelta.pixart.control;

/**
 * An 8-bit RGB raster, rows top to bottom, pixels left to right, channels R, G, B interleaved: the
 * equivalent of a PIL image in mode "RGB". Immutable once built.
 */
public final class RgbImage {
  private final int height;
  private final int width;
  private final byte[] rgb; // (H, W, 3)

  private RgbImage(int height, int width, byte[] rgb) {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "height and width must be positive, got " + height + "x" + width);
    }
    if (rgb.length != (long) height * width * 3) {
      throw new IllegalArgumentException(
          rgb.length + " bytes for a " + height + "x" + width + " RGB image");
    }
    this.height = height;
    this.width = width;
    this.rgb = rgb;
  }

  /** An image from a copy of {@code rgb}, (H, W, 3) row-major. */
  public static RgbImage copyOf(int height, int width, byte[] rgb) {
    return new RgbImage(height, width, rgb.clone());
  }

  /** Takes ownership of {@code rgb}: the caller must not change it afterwards. */
  static RgbImage wrap(int height, int width, byte[] rgb) {
    return new RgbImage(height, width, rgb);
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel (y, x), 0..255. */
  public int sample(int y, int x, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xFF;
  }

  /** The backing array, (H, W, 3); read-only by contract. */
  byte[] data() {
    return rgb;
  }
}
