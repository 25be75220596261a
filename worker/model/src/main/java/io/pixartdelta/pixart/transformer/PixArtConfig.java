package io.pixartdelta.pixart.transformer;

import static io.pixartdelta.pixart.weights.ConfigJson.bool;
import static io.pixartdelta.pixart.weights.ConfigJson.integer;
import static io.pixartdelta.pixart.weights.ConfigJson.number;
import static io.pixartdelta.pixart.weights.ConfigJson.requiredInteger;
import static io.pixartdelta.pixart.weights.ConfigJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The shape of a PixArt-α transformer ({@code PixArtTransformer2DModel}, or the legacy {@code
 * Transformer2DModel} with {@code norm_type = "ada_norm_single"} that the 2023 checkpoints name).
 *
 * @param numAttentionHeads heads per attention layer (16 for PixArt-XL)
 * @param attentionHeadDim width of one head (72); hidden size D = heads × head width
 * @param numLayers transformer blocks (28)
 * @param inChannels latent channels in (4)
 * @param outChannels channels out (8: ε and the learned-variance half)
 * @param patchSize side of a square patch in latent pixels (2)
 * @param sampleSize latent side the model was trained at (128 for 1024 px); sets the base grid
 * @param captionChannels width of the text-encoder states (4096 for T5-XXL)
 * @param crossAttentionDim width of the cross-attention keys/values; must equal D because they come
 *     from the projected captions
 * @param normEps LayerNorm epsilon inside the blocks (1e-6)
 * @param attentionBias whether the attention projections have biases (true)
 * @param interpolationScale position-embedding scale; absent in the config means {@code
 *     max(sampleSize / 64, 1)}
 * @param useAdditionalConditions whether resolution and aspect-ratio micro-conditions are embedded;
 *     absent in the config means {@code sampleSize == 128}
 */
public record PixArtConfig(
    int numAttentionHeads,
    int attentionHeadDim,
    int numLayers,
    int inChannels,
    int outChannels,
    int patchSize,
    int sampleSize,
    int captionChannels,
    int crossAttentionDim,
    float normEps,
    boolean attentionBias,
    double interpolationScale,
    boolean useAdditionalConditions) {

  /** Width of the sinusoidal timestep / micro-condition embedding. */
  public static final int FREQUENCY_CHANNELS = 256;

  /** Number of modulation vectors per block: shift, scale, gate for attention and for the MLP. */
  public static final int MODULATION_CHUNKS = 6;

  private static final Set<String> CLASS_NAMES =
      Set.of("PixArtTransformer2DModel", "Transformer2DModel");

  public PixArtConfig {
    requirePositive("num_attention_heads", numAttentionHeads);
    requirePositive("attention_head_dim", attentionHeadDim);
    requirePositive("num_layers", numLayers);
    requirePositive("in_channels", inChannels);
    requirePositive("out_channels", outChannels);
    requirePositive("patch_size", patchSize);
    requirePositive("sample_size", sampleSize);
    requirePositive("caption_channels", captionChannels);
    if (sampleSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "sample_size " + sampleSize + " must be a multiple of patch_size " + patchSize);
    }
    int inner = numAttentionHeads * attentionHeadDim;
    if (crossAttentionDim != inner) {
      throw new IllegalArgumentException(
          "cross_attention_dim "
              + crossAttentionDim
              + " must equal num_attention_heads × attention_head_dim = "
              + inner);
    }
    if (!(normEps > 0f)) {
      throw new IllegalArgumentException("norm_eps must be > 0, got " + normEps);
    }
    if (!(interpolationScale > 0)) {
      throw new IllegalArgumentException(
          "interpolation_scale must be > 0, got " + interpolationScale);
    }
    if (useAdditionalConditions && inner % 3 != 0) {
      throw new IllegalArgumentException(
          "use_additional_conditions needs a hidden size divisible by 3, got " + inner);
    }
  }

  /** Hidden size D = heads × head width. */
  public int innerDim() {
    return numAttentionHeads * attentionHeadDim;
  }

  /** Width of the feed-forward hidden layer (4·D). */
  public int feedForwardDim() {
    return 4 * innerDim();
  }

  /** Side of the patch grid the position embedding is normalised to (sample_size / patch_size). */
  public int baseGridSize() {
    return sampleSize / patchSize;
  }

  /** Width of each micro-condition embedding (D/3: height, width and aspect ratio fill D). */
  public int microConditionDim() {
    return innerDim() / 3;
  }

  /** Width of one token of the final projection: p·p·out_channels. */
  public int patchOutputDim() {
    return patchSize * patchSize * outChannels;
  }

  /**
   * Reads a diffusers {@code transformer/config.json}, applying the reference defaults for absent
   * keys.
   *
   * @throws WeightException if the file is missing, unreadable or describes a model this code does
   *     not implement (fatal at start-up)
   */
  public static PixArtConfig fromJson(Path configJson) {
    return ConfigJson.read(configJson, "transformer config", PixArtConfig::fromJson);
  }

  private static PixArtConfig fromJson(JsonNode root) {
    String className = text(root, "_class_name", "PixArtTransformer2DModel");
    if (!CLASS_NAMES.contains(className)) {
      throw new IllegalArgumentException(
          "_class_name must be one of " + CLASS_NAMES + ", got " + className);
    }
    requireText(root, "norm_type", "ada_norm_single");
    requireText(root, "activation_fn", "gelu-approximate");
    requireText(root, "attention_type", "default");
    requireFalse(root, "norm_elementwise_affine");
    requireFalse(root, "only_cross_attention");
    requireFalse(root, "double_self_attention");

    int heads = integer(root, "num_attention_heads", 16);
    int headDim = integer(root, "attention_head_dim", 72);
    int sampleSize = requiredInteger(root, "sample_size");
    int inChannels = requiredInteger(root, "in_channels");
    // Absent means the class default 8; an explicit null means "same as in_channels".
    int outChannels = root.has("out_channels") ? integer(root, "out_channels", inChannels) : 8;
    return new PixArtConfig(
        heads,
        headDim,
        integer(root, "num_layers", 28),
        inChannels,
        outChannels,
        requiredInteger(root, "patch_size"),
        sampleSize,
        requiredInteger(root, "caption_channels"),
        integer(root, "cross_attention_dim", heads * headDim),
        (float) number(root, "norm_eps", 1e-6),
        bool(root, "attention_bias", true),
        number(root, "interpolation_scale", Math.max(sampleSize / 64, 1)),
        bool(root, "use_additional_conditions", sampleSize == 128));
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, got " + value);
    }
  }

  private static void requireText(JsonNode root, String key, String expected) {
    String value = text(root, key, expected);
    if (!expected.equals(value)) {
      throw new IllegalArgumentException(key + " must be \"" + expected + "\", got " + value);
    }
  }

  private static void requireFalse(JsonNode root, String key) {
    if (bool(root, key, false)) {
      throw new IllegalArgumentException(key + " must be false");
    }
  }
}
