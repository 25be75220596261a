package io.pixartdelta.worker.app;

import java.time.Duration;

/** Durations in messages, written the way the CLIs' flags take them. */
final class Durations {
  private Durations() {}

  /**
   * The duration as the flags take it, in its largest exact unit: {@code 30s}, {@code 5m}, {@code
   * 90s}, {@code 1500ms}, {@code 2d}; sub-millisecond and negative durations in ISO-8601.
   */
  static String format(Duration duration) {
    if (duration.isNegative() || duration.toNanosPart() % 1_000_000 != 0) {
      return duration.toString();
    }
    long ms = duration.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms != 0 && ms % sizes[i] == 0) {
        return ms / sizes[i] + units[i];
      }
    }
    return ms == 0 ? "0s" : ms + "ms";
  }
}
