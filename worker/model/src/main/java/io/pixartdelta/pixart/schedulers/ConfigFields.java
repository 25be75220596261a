package io.pixartdelta.pixart.schedulers;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Typed reads of scheduler config keys: an absent or null key gives the fallback (diffusers'
 * default), a key of the wrong JSON type is an error naming the key.
 */
final class ConfigFields {
  // Python's json writes -Infinity for e.g. lambda_min_clipped; plain Jackson would reject it.
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private ConfigFields() {}

  /**
   * Reads a scheduler config file and parses it with {@code parse}; every failure becomes a {@link
   * WeightException} naming the file (and, from {@code parse}, the key).
   */
  static <T> T read(Path file, Function<JsonNode, T> parse) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new WeightException("cannot read scheduler config " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new WeightException("scheduler config " + file + " is not a JSON object");
    }
    try {
      return parse.apply(root);
    } catch (IllegalArgumentException e) {
      throw new WeightException("scheduler config " + file + ": " + e.getMessage(), e);
    }
  }

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
