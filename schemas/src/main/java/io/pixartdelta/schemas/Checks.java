package io.pixartdelta.schemas;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Field checks shared by the records' compact constructors.
 *
 * <p>Every rule here mirrors a keyword of the JSON Schema files so that code cannot build a message
 * the schema would reject. Lengths are counted in Unicode code points, as JSON Schema's {@code
 * maxLength} does. The patterns are the schema's {@code pattern} strings verbatim (a test compares
 * them); {@link java.util.regex.Matcher#matches()} anchors the whole input.
 */
final class Checks {
  static final Pattern JOB_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
  static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
  static final Pattern PREFIX =
      Pattern.compile("^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*)*$");
  static final Pattern CONTROL_IMAGE =
      Pattern.compile(
          "^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[!-~]{1,1024}"
              + "|data:image/png;base64,[A-Za-z0-9+/]+={0,2})$");
  static final Pattern S3_URI =
      Pattern.compile("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[!-~]{1,1024}$");
  static final Pattern TOKEN = Pattern.compile("^[!-~]{1,128}$");
  static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

  static final int METADATA_MAX_ENTRIES = 32;
  static final int METADATA_MAX_KEY_LENGTH = 64;
  static final int METADATA_MAX_VALUE_LENGTH = 512;

  private Checks() {}

  static <T> T required(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  /** The schema version every v1 message carries. */
  static void schemaVersion(int version) {
    if (version != RenderJob.SCHEMA_VERSION) {
      throw new IllegalArgumentException(
          "schemaVersion must be " + RenderJob.SCHEMA_VERSION + ", got " + version);
    }
  }

  /** A present, well-formed job id. */
  static void jobId(String value) {
    required("jobId", value);
    matches(
        "jobId",
        value,
        JOB_ID,
        "1-128 characters of [A-Za-z0-9._-] starting with a letter or digit");
  }

  static void range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], got " + value);
    }
  }

  static void range(String field, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], got " + value);
    }
  }

  static void multipleOf(String field, long value, long divisor, String why) {
    if (value % divisor != 0) {
      throw new IllegalArgumentException(
          field + " must be a multiple of " + divisor + why + ", got " + value);
    }
  }

  static void maxLength(String field, String value, int max) {
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      throw new IllegalArgumentException(
          field + " must be at most " + max + " characters, got " + length);
    }
  }

  static void matches(String field, String value, Pattern pattern, String rule) {
    if (!pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field + " must be " + rule + ", got '" + abbreviate(value) + "'");
    }
  }

  /** Keeps error messages short when the offending value is, say, a 2 MB data URI. */
  static String abbreviate(String value) {
    return value.length() <= 80 ? value : value.substring(0, 77) + "...";
  }

  /** Validates a metadata map and returns an unmodifiable copy in the caller's iteration order. */
  static Map<String, String> metadata(String field, Map<String, String> metadata) {
    if (metadata == null || metadata.isEmpty()) {
      return Map.of();
    }
    if (metadata.size() > METADATA_MAX_ENTRIES) {
      throw new IllegalArgumentException(
          field
              + " must have at most "
              + METADATA_MAX_ENTRIES
              + " entries, got "
              + metadata.size());
    }
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      String key = required(field + " key", entry.getKey());
      if (key.isEmpty()) {
        throw new IllegalArgumentException(field + " keys must not be empty");
      }
      maxLength(field + " key '" + key + "'", key, METADATA_MAX_KEY_LENGTH);
      String value = required(field + "['" + key + "']", entry.getValue());
      maxLength(field + "['" + key + "']", value, METADATA_MAX_VALUE_LENGTH);
      copy.put(key, value);
    }
    return Collections.unmodifiableMap(copy);
  }
}
