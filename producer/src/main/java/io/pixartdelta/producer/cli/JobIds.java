package io.pixartdelta.producer.cli;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Generated job ids: {@code <kind>-<UTC yyyyMMdd-HHmmss>-<4 random hex>}, unique per run. */
final class JobIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private JobIds() {}

  static String newPrefix(String kind, Instant now) {
    byte[] salt = new byte[2];
    RANDOM.nextBytes(salt);
    return kind + "-" + STAMP.format(now) + "-" + HexFormat.of().formatHex(salt);
  }
}
