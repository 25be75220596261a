package io.pixartdelta.pixart.vae;

import static io.pixartdelta.pixart.weights.ConfigJson.bool;
import static io.pixartdelta.pixart.weights.ConfigJson.integer;
import static io.pixartdelta.pixart.weights.ConfigJson.integers;
import static io.pixartdelta.pixart.weights.ConfigJson.number;
import static io.pixartdelta.pixart.weights.ConfigJson.present;
import static io.pixartdelta.pixart.weights.ConfigJson.text;
import static io.pixartdelta.pixart.weights.ConfigJson.texts;

import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightException;
import java.nio.file.Path;
import java.util.List;

/**
 * The shape of a diffusers {@code AutoencoderKL} in the SD-1.x layout ({@code
 * models/autoencoders/autoencoder_kl.py} @58eb52c): the encoder's down blocks and the decoder's up
 * blocks mirror each other over {@code blockOutChannels}.
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

  /**
   * The real PixArt VAE ({@code sd-vae-ft-ema}: {@code vae/config.json} of Hugging Face {@code
   * PixArt-alpha/PixArt-LCM-XL-2-1024-MS}).
   */
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
    return ConfigJson.read(configJson, "VAE config", VaeConfig::fromJson);
  }

  private static VaeConfig fromJson(JsonNode root) {
    String className = text(root, "_class_name", "AutoencoderKL");
    if (!className.equals("AutoencoderKL")) {
      throw new IllegalArgumentException(
          "_class_name " + className + " is not supported (only AutoencoderKL)");
    }
    JsonNode shift = present(root, "shift_factor");
    if (shift != null) {
      throw new IllegalArgumentException(
          "shift_factor " + shift + " is not supported (SD-1.x latents are only scaled)");
    }
    return new VaeConfig(
        integer(root, "in_channels", 3),
        integer(root, "out_channels", 3),
        integers(root, "block_out_channels"),
        integer(root, "layers_per_block", 1),
        integer(root, "latent_channels", 4),
        integer(root, "norm_num_groups", 32),
        text(root, "act_fn", "silu"),
        texts(root, "down_block_types"),
        texts(root, "up_block_types"),
        (float) number(root, "scaling_factor", DEFAULT_SCALING_FACTOR),
        bool(root, "mid_block_add_attention", true),
        bool(root, "use_quant_conv", true),
        bool(root, "use_post_quant_conv", true));
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
}
