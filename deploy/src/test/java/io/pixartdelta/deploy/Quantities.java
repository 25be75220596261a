package io.pixartdelta.deploy;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as Kubernetes ({@code 24Gi}) and the JVM ({@code -Xmx4g}) write them. */
final class Quantities {
  static final long GIB = 1L << 30;
  private static final Map<String, Long> KUBE_UNITS =
      Map.of(
          "",
          1L,
          "k",
          1000L,
          "M",
          1000_000L,
          "G",
          1000_000_000L,
          "Ki",
          1L << 10,
          "Mi",
          1L << 20,
          "Gi",
          1L << 30,
          "Ti",
          1L << 40);
  private static final Map<String, Long> JVM_UNITS =
      Map.of("", 1L, "k", 1L << 10, "m", 1L << 20, "g", 1L << 30);

  private Quantities() {}

  /** A Kubernetes memory or storage quantity in bytes. */
  static long kube(String text) {
    return parse(text, Pattern.compile("(\\d+)([kMGT]i?|Ki)?"), KUBE_UNITS);
  }

  /** The size after a JVM flag such as {@code -Xmx} in an options string, or -1 if absent. */
  static long jvmFlag(String options, String flag) {
    Matcher m =
        Pattern.compile("(?:^|\\s)" + Pattern.quote(flag) + "(\\d+[kmgKMG]?)(?=\\s|$)")
            .matcher(options);
    return m.find()
        ? parse(
            m.group(1).toLowerCase(java.util.Locale.ROOT),
            Pattern.compile("(\\d+)([kmg])?"),
            JVM_UNITS)
        : -1;
  }

  private static long parse(String text, Pattern pattern, Map<String, Long> units) {
    Matcher m = pattern.matcher(text.trim());
    Long unit = m.matches() ? units.get(m.group(2) == null ? "" : m.group(2)) : null;
    if (unit == null) {
      throw new AssertionError("not a byte size: '" + text + "'");
    }
    return Long.parseLong(m.group(1)) * unit;
  }
}
