package io.pixartdelta.pixart.controlnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The shape of a ControlNet adapter ({@code PixArtControlNetAdapterModel}): only the number of
 * copied blocks. Every other dimension is the base transformer's (the reference hard-codes the real
 * block sizes and stores nothing else), so the adapter takes them from its {@link
 * io.pixartdelta.pixart.transformer.PixArtConfig}.
 *
 * @param numLayers copied blocks N; copy k (k = 0..N−1) feeds base block k + 1, so N must be below
 *     the base model's block count. 13 for the released PixArt-δ ControlNet.
 */
public record ControlNetAdapterConfig(int numLayers) {

  /** Copied blocks of the released model ({@code copy_blocks_num}), the reference default. */
  public static final int DEFAULT_NUM_LAYERS = 13;

  /** The {@code _class_name} diffusers writes into the adapter's {@code config.json}. */
  public static final String CLASS_NAME = "PixArtControlNetAdapterModel";

  private static final ObjectMapper JSON = new ObjectMapper();

  public ControlNetAdapterConfig {
    if (numLayers <= 0) {
      throw new IllegalArgumentException("num_layers must be > 0, got " + numLayers);
    }
  }

  /**
   * Reads an adapter folder's {@code config.json}; an absent {@code num_layers} means {@value
   * #DEFAULT_NUM_LAYERS} as in the reference constructor.
   *
   * @throws WeightException if the file is missing, unreadable or describes another model (fatal at
   *     start-up)
   */
  public static ControlNetAdapterConfig fromJson(Path configJson) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(configJson));
    } catch (NoSuchFileException e) {
      throw new WeightException("missing ControlNet adapter config " + configJson, e);
    } catch (IOException e) {
      throw new WeightException(
          "unreadable ControlNet adapter config " + configJson + ": " + e.getMessage(), e);
    }
    try {
      return fromJson(root);
    } catch (IllegalArgumentException e) {
      throw new WeightException(
          "ControlNet adapter config " + configJson + ": " + e.getMessage(), e);
    }
  }

  /** Same as {@link #fromJson(Path)} on parsed JSON; throws IllegalArgumentException. */
  static ControlNetAdapterConfig fromJson(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode className = root.get("_class_name");
    if (className != null && !className.isNull() && !CLASS_NAME.equals(className.asText())) {
      throw new IllegalArgumentException(
          "_class_name must be " + CLASS_NAME + ", got " + className.asText());
    }
    JsonNode layers = root.get("num_layers");
    if (layers == null || layers.isNull()) {
      return new ControlNetAdapterConfig(DEFAULT_NUM_LAYERS);
    }
    if (!layers.canConvertToInt() || !layers.isIntegralNumber()) {
      throw new IllegalArgumentException("num_layers must be an integer, got " + layers);
    }
    return new ControlNetAdapterConfig(layers.asInt());
  }
}
