package io.pixartdelta.pixart.controlnet;

import static io.pixartdelta.pixart.weights.ConfigJson.integer;
import static io.pixartdelta.pixart.weights.ConfigJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightException;
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
    return ConfigJson.read(
        configJson, "ControlNet adapter config", ControlNetAdapterConfig::fromJson);
  }

  private static ControlNetAdapterConfig fromJson(JsonNode root) {
    String className = text(root, "_class_name", CLASS_NAME);
    if (!CLASS_NAME.equals(className)) {
      throw new IllegalArgumentException(
          "_class_name must be " + CLASS_NAME + ", got " + className);
    }
    return new ControlNetAdapterConfig(integer(root, "num_layers", DEFAULT_NUM_LAYERS));
  }
}
