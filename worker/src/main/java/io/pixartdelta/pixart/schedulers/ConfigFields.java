package io.pixartdelta.pixart.schedulers;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of scheduler config keys: an absent or null key gives the fallback (diffusers'
 * default), a key of the wrong JSON type is an error naming the key.
 */
final class ConfigFields {
  private ConfigFields() {}

  static JsonNode present(JsonNode c, String key) {
    JsonNode v = c.get(key);
    return v == null || v.isNull() ? null : v;
  }

  static String text(JsonNode c, String key, String fallback) {
    JsonNode v = present(c, key);
    if (v == null) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(key + " must be a string, got " + v);
    }
    return v.asText();
  }

  static double number(JsonNode c, String key, double fallback) {
    JsonNode v = present(c, key);
    if (v == null) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(key + " must be a number, got " + v);
    }
    return v.asDouble();
  }

  static int integer(JsonNode c, String key, int fallback) {
    JsonNode v = present(c, key);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(key + " must be an integer, got " + v);
    }
    return v.asInt();
  }

  static boolean bool(JsonNode c, String key, boolean fallback) {
    JsonNode v = present(c, key);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(key + " must be true or false, got " + v);
    }
    return v.asBoolean();
  }
}
