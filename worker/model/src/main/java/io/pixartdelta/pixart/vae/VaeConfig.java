package io.pixartdelta.pixart.vae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a diffusers {@code AutoencoderKL} in the SD-1.x layout (spec §6): the encoder's down
 * blocks and the decoder's up blocks mirror each other over {@code blockOutChannels}.
 *
 * @param inChannels image channels fed to the encoder (3 for RGB)
 * @param outChannels image channels produced by the decoder (3)
 * @param blockOutChannels width of each resolution level, highest resolution first ([128, 256, 512,
 *     512] for the real VAE); the last one is the mid-block width
 * @param layersPerBlock resnets per encoder down block; decoder up blocks have one more
 * @param latentChannels latent channels (4); the encoder emits twice that (mean and log-variance)
 * @param normNumGroups GroupNorm groups of every norm (32); must divide every block width
 * @param actFn activation name; only {@code silu} exists in this layout
 * @param downBlockTypes one {@code DownEncoderBlock2D} per level
 * @param upBlockTypes one {@code UpDecoderBlock2D} per level
 * @param scalingFactor latents are multiplied by this after encoding and divided before decoding
 *     (0.18215)
 * @param midBlockAddAttention whether the mid blocks contain their single-head attention (true)
 * @param useQuantConv whether a 1×1 {@code quant_conv} follows the encoder (true)
 * @param usePostQuantConv whether a 1×1 {@code post_quant_conv} precedes the decoder (true)
 */
public record VaeConfig(
    int inChannels,
    int outChannels,
    List<Integer> blockOutChannels,
    int layersPerBlock,
    int latentChannels,
    int normNumGroups,
    String actFn,
    List<String> downBlockTypes,
    List<String> upBlockTypes,
    float scalingFactor,
    boolean midBlockAddAttention,
    boolean useQuantConv,
    boolean usePostQuantConv) {

  /** The only down block type of the SD-1.x layout. */
  public static final String DOWN_ENCODER_BLOCK = "DownEncoderBlock2D";

  /** The only up block type of the SD-1.x layout. */
  public static final String UP_DECODER_BLOCK = "UpDecoderBlock2D";

  /** diffusers' default and the value PixArt hard-codes. */
  public static final float DEFAULT_SCALING_FACTOR = 0.18215f;

  private static final ObjectMapper JSON = new ObjectMapper();

  public VaeConfig {
    positive("in_channels", inChannels);
    positive("out_channels", outChannels);
    positive("layers_per_block", layersPerBlock);
    positive("latent_channels", latentChannels);
    positive("norm_num_groups", normNumGroups);
    if (blockOutChannels == null || blockOutChannels.isEmpty()) {
      throw new IllegalArgumentException("block_out_channels must not be empty");
    }
    blockOutChannels = List.copyOf(blockOutChannels);
    for (int c : blockOutChannels) {
      if (c <= 0 || c % normNumGroups != 0) {
        throw new IllegalArgumentException(
            "block_out_channels "
                + blockOutChannels
                + " must be positive multiples of norm_num_groups "
                + normNumGroups);
      }
    }
    if (!"silu".equals(actFn)) {
      throw new IllegalArgumentException("act_fn " + actFn + " is not supported (only silu)");
    }
    downBlockTypes = blockTypes("down_block_types", downBlockTypes, DOWN_ENCODER_BLOCK);
    upBlockTypes = blockTypes("up_block_types", upBlockTypes, UP_DECODER_BLOCK);
    if (downBlockTypes.size() != blockOutChannels.size()
        || upBlockTypes.size() != blockOutChannels.size()) {
      throw new IllegalArgumentException(
          "down_block_types ("
              + downBlockTypes.size()
              + ") and up_block_types ("
              + upBlockTypes.size()
              + ") must have one entry per block_out_channels entry ("
              + blockOutChannels.size()
              + ")");
    }
    if (!(scalingFactor > 0) || Float.isInfinite(scalingFactor)) {
      throw new IllegalArgumentException(
          "scaling_factor must be positive and finite, got " + scalingFactor);
    }
  }

  /** The real PixArt VAE ({@code sd-vae-ft-ema}, spec §1.1). */
  public static VaeConfig sdVae() {
    return new VaeConfig(
        3,
        3,
        List.of(128, 256, 512, 512),
        2,
        4,
        32,
        "silu",
        List.of(DOWN_ENCODER_BLOCK, DOWN_ENCODER_BLOCK, DOWN_ENCODER_BLOCK, DOWN_ENCODER_BLOCK),
        List.of(UP_DECODER_BLOCK, UP_DECODER_BLOCK, UP_DECODER_BLOCK, UP_DECODER_BLOCK),
        DEFAULT_SCALING_FACTOR,
        true,
        true,
        true);
  }

  /**
   * Reads a diffusers {@code vae/config.json}. Absent scalar keys take diffusers' defaults
   * (channels 3/3, latent 4, 32 groups, 1 layer per block, silu, scaling 0.18215, mid attention and
   * both 1×1 convs on); the block lists are required. {@code shift_factor} must be absent or null
   * (SD-1.x latents are only scaled). {@code latents_mean}/{@code latents_std}, {@code
   * force_upcast} and {@code sample_size} do not affect the computation and are ignored.
   *
   * @throws WeightException if the file is missing, unreadable or describes another model
   */
  public static VaeConfig fromJson(Path configJson) {
    JsonNode root;
    try {
      root = JSON.readTree(configJson.toFile());
    } catch (NoSuchFileException e) {
      throw new WeightException("missing VAE config " + configJson, e);
    } catch (IOException e) {
      throw new WeightException("unreadable VAE config " + configJson + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new WeightException("VAE config " + configJson + " is not a JSON object");
    }
    try {
      String className = root.path("_class_name").asText("AutoencoderKL");
      if (!className.equals("AutoencoderKL")) {
        throw new IllegalArgumentException(
            "_class_name " + className + " is not supported (only AutoencoderKL)");
      }
      JsonNode shift = root.get("shift_factor");
      if (shift != null && !shift.isNull()) {
        throw new IllegalArgumentException(
            "shift_factor " + shift + " is not supported (SD-1.x latents are only scaled)");
      }
      return new VaeConfig(
          intOr(root, "in_channels", 3),
          intOr(root, "out_channels", 3),
          intList(root, "block_out_channels"),
          intOr(root, "layers_per_block", 1),
          intOr(root, "latent_channels", 4),
          intOr(root, "norm_num_groups", 32),
          root.path("act_fn").asText("silu"),
          stringList(root, "down_block_types"),
          stringList(root, "up_block_types"),
          (float) root.path("scaling_factor").asDouble(DEFAULT_SCALING_FACTOR),
          root.path("mid_block_add_attention").asBoolean(true),
          root.path("use_quant_conv").asBoolean(true),
          root.path("use_post_quant_conv").asBoolean(true));
    } catch (IllegalArgumentException e) {
      throw new WeightException("invalid VAE config " + configJson + ": " + e.getMessage(), e);
    }
  }

  /** Spatial reduction of the encoder and enlargement of the decoder: 2^(levels − 1) (8). */
  public int downscaleFactor() {
    return 1 << (blockOutChannels.size() - 1);
  }

  /** Width of the mid blocks: the last block width (512). */
  public int midChannels() {
    return blockOutChannels.get(blockOutChannels.size() - 1);
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }

  private static List<String> blockTypes(String field, List<String> types, String allowed) {
    if (types == null || types.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
    for (String t : types) {
      if (!allowed.equals(t)) {
        throw new IllegalArgumentException(
            field + " contains " + t + "; only " + allowed + " (SD-1.x VAE layout) is supported");
      }
    }
    return List.copyOf(types);
  }

  private static int intOr(JsonNode root, String key, int fallback) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new IllegalArgumentException(key + " must be an integer, got " + n);
    }
    return n.intValue();
  }

  private static List<Integer> intList(JsonNode root, String key) {
    JsonNode n = requiredArray(root, key);
    List<Integer> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isIntegralNumber()) {
        throw new IllegalArgumentException(key + " must hold integers, got " + n);
      }
      out.add(e.intValue());
    }
    return out;
  }

  private static List<String> stringList(JsonNode root, String key) {
    JsonNode n = requiredArray(root, key);
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw new IllegalArgumentException(key + " must hold strings, got " + n);
      }
      out.add(e.asText());
    }
    return out;
  }

  private static JsonNode requiredArray(JsonNode root, String key) {
    JsonNode n = root.get(key);
    if (n == null || !n.isArray()) {
      throw new IllegalArgumentException(key + " is required (a JSON array)");
    }
    return n;
  }
}
