package io.pixartdelta.pixart.weights;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The one reader of the JSON configs that come with a checkpoint (transformers' and diffusers'
 * {@code config.json}, {@code scheduler_config.json}, {@code tokenizer_config.json}, {@code
 * model_index.json}), with one strict rule for every field:
 *
 * <ul>
 *   <li>an integer field must be a JSON integer in int range: {@code 4.0} and {@code 1152.5} are
 *       rejected, not truncated (the Python side would hand such a value on as a float);
 *   <li>a number field takes any JSON number, including {@code Infinity}/{@code NaN} as Python's
 *       json writes them (e.g. {@code lambda_min_clipped: -Infinity});
 *   <li>a boolean field must be {@code true} or {@code false}, a string field a JSON string;
 *   <li>an absent or {@code null} field takes the caller's default (the reference library's), and a
 *       required one is an error naming it.
 * </ul>
 *
 * <p>Field readers throw {@link IllegalArgumentException} naming the field; {@link #read} turns
 * those, and the config constructors' own checks, into a {@link WeightException} naming the file.
 */
public final class ConfigJson {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private ConfigJson() {}

  /**
   * Reads {@code file} as a JSON object and builds a config from it with {@code parse}.
   *
   * @param what what the file is, for messages ("transformer config")
   * @throws WeightException if the file is missing, not JSON, not an object, or {@code parse}
   *     throws an {@link IllegalArgumentException}; the message names the file (and the field)
   */
  public static <T> T read(Path file, String what, Function<JsonNode, T> parse) {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = JSON.readTree(in);
    } catch (NoSuchFileException e) {
      throw new WeightException("missing " + what + " " + file, e);
    } catch (IOException e) {
      throw new WeightException("corrupt " + what + " " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new WeightException(what + " " + file + " is not a JSON object");
    }
    try {
      return parse.apply(root);
    } catch (IllegalArgumentException e) {
      throw new WeightException(what + " " + file + ": " + e.getMessage(), e);
    }
  }

  /** The field's value, or null if it is absent or JSON {@code null}. */
  public static JsonNode present(JsonNode c, String key) {
    JsonNode v = c.get(key);
    return v == null || v.isNull() ? null : v;
  }

  /** A string field; {@code fallback} if absent or null. */
  public static String text(JsonNode c, String key, String fallback) {
    JsonNode v = present(c, key);
    if (v == null) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(key + " must be a string, got " + v);
    }
    return v.textValue();
  }

  /** A number field (any JSON number); {@code fallback} if absent or null. */
  public static double number(JsonNode c, String key, double fallback) {
    JsonNode v = present(c, key);
    if (v == null) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(key + " must be a number, got " + v);
    }
    return v.doubleValue();
  }

  /** An integer field; {@code fallback} if absent or null. */
  public static int integer(JsonNode c, String key, int fallback) {
    JsonNode v = present(c, key);
    return v == null ? fallback : integer(key, v);
  }

  /** An integer field that must be present. */
  public static int requiredInteger(JsonNode c, String key) {
    JsonNode v = present(c, key);
    if (v == null) {
      throw new IllegalArgumentException(key + " is required");
    }
    return integer(key, v);
  }

  /** A boolean field; {@code fallback} if absent or null. */
  public static boolean bool(JsonNode c, String key, boolean fallback) {
    JsonNode v = present(c, key);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(key + " must be true or false, got " + v);
    }
    return v.booleanValue();
  }

  /** A required array of integers. */
  public static List<Integer> integers(JsonNode c, String key) {
    List<Integer> out = new ArrayList<>();
    for (JsonNode e : requiredArray(c, key)) {
      out.add(integer(key + " entry", e));
    }
    return out;
  }

  /** A required array of strings. */
  public static List<String> texts(JsonNode c, String key) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : requiredArray(c, key)) {
      if (!e.isTextual()) {
        throw new IllegalArgumentException(key + " must hold strings, got " + e);
      }
      out.add(e.textValue());
    }
    return out;
  }

  private static int integer(String key, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(key + " must be an integer, got " + v);
    }
    return v.intValue();
  }

  private static JsonNode requiredArray(JsonNode c, String key) {
    JsonNode v = present(c, key);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException(key + " is required (a JSON array), got " + v);
    }
    return v;
  }
}
