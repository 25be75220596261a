package io.pixartdelta.worker.metrics;

import io.micrometer.core.instrument.Tags;
import io.pixartdelta.worker.batch.BatchKey;

/**
 * Low-cardinality tags for a batch's {@link BatchKey}: a resolution class, the step count and
 * whether ControlNet ran. Exact sizes are not used as tags because jobs without binning may ask for
 * any multiple of 16 pixels.
 */
final class ShapeClass {
  /** Square sides that name the resolution classes (pixel count at most side²). */
  private static final int[] SIDES = {256, 512, 768, 1024, 1536, 2048};

  private ShapeClass() {}

  /** {@code resolution}, {@code steps} and {@code control} tags of {@code key}. */
  static Tags of(BatchKey key) {
    return Tags.of(
        "resolution",
        resolution(key.width(), key.height()),
        "steps",
        Integer.toString(key.steps()),
        "control",
        Boolean.toString(key.control()));
  }

  /**
   * The smallest listed square side whose area holds {@code width × height} pixels, e.g. 1024 for
   * 1024×1024 and for 896×1152; {@code larger} beyond 2048².
   */
  static String resolution(int width, int height) {
    long pixels = (long) width * height;
    for (int side : SIDES) {
      if (pixels <= (long) side * side) {
        return Integer.toString(side);
      }
    }
    return "larger";
  }
}
