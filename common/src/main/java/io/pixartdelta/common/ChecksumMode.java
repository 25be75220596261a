package io.pixartdelta.common;

/** When the S3 SDK computes request checksums or validates response checksums. */
public enum ChecksumMode {
  /** Whenever the operation supports it (the SDK default since 2.30). */
  WHEN_SUPPORTED,
  /** Only when the operation requires it: for S3-compatible servers that reject CRC32 trailers. */
  WHEN_REQUIRED;

  /** The configuration spelling: {@code when-supported} or {@code when-required}. */
  public static ChecksumMode parse(String text) {
    return switch (text) {
      case "when-supported" -> WHEN_SUPPORTED;
      case "when-required" -> WHEN_REQUIRED;
      default ->
          throw new IllegalArgumentException(
              "checksum mode must be when-supported or when-required, got '" + text + "'");
    };
  }
}
