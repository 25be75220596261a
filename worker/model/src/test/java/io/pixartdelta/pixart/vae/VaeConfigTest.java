package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaeConfigTest {
  /**
   * The real sd-vae-ft-ema config as the 0.22-era {@code vae/config.json} of Hugging Face {@code
   * PixArt-alpha/PixArt-LCM-XL-2-1024-MS} states it: no newer keys.
   */
  private static final String REAL_CONFIG =
      """
      {
        "_class_name": "AutoencoderKL",
        "_diffusers_version": "0.22.0.dev0",
        "_name_or_path": "PixArt-alpha/PixArt-alpha",
        "act_fn": "silu",
        "block_out_channels": [128, 256, 512, 512],
        "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D",
                             "DownEncoderBlock2D"],
        "force_upcast": true,
        "in_channels": 3,
        "latent_channels": 4,
        "layers_per_block": 2,
        "norm_num_groups": 32,
        "out_channels": 3,
        "sample_size": 512,
        "scaling_factor": 0.18215,
        "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D",
                           "UpDecoderBlock2D"]
      }
      """;

  @Test
  void readsTheTinyFixtureConfig() {
    VaeConfig c = VaeConfig.fromJson(Fixtures.path("model/vae/config.json"));
    assertThat(c.blockOutChannels()).containsExactly(8, 16, 16, 16);
    assertThat(c.normNumGroups()).isEqualTo(4);
    assertThat(c.layersPerBlock()).isEqualTo(2);
    assertThat(c.latentChannels()).isEqualTo(4);
    assertThat(c.inChannels()).isEqualTo(3);
    assertThat(c.outChannels()).isEqualTo(3);
    assertThat(c.scalingFactor()).isEqualTo(0.18215f);
    assertThat(c.midBlockAddAttention()).isTrue();
    assertThat(c.useQuantConv()).isTrue();
    assertThat(c.usePostQuantConv()).isTrue();
    assertThat(c.downscaleFactor()).isEqualTo(8);
    assertThat(c.midChannels()).isEqualTo(16);
  }

  @Test
  void theRealConfigWithoutNewerKeysTakesTheDefaults(@TempDir Path dir) throws IOException {
    VaeConfig c = VaeConfig.fromJson(write(dir, REAL_CONFIG));
    assertThat(c).isEqualTo(VaeConfig.sdVae());
  }

  @Test
  void absentScalingFactorAndNullShiftFactorAreAccepted(@TempDir Path dir) throws IOException {
    String json = REAL_CONFIG.replace("\"scaling_factor\": 0.18215,", "\"shift_factor\": null,");
    assertThat(VaeConfig.fromJson(write(dir, json)).scalingFactor()).isEqualTo(0.18215f);
  }

  @Test
  void aShiftFactorIsRejected(@TempDir Path dir) throws IOException {
    String json = REAL_CONFIG.replace("\"force_upcast\"", "\"shift_factor\": 0.0609, \"x\"");
    assertThatThrownBy(() -> VaeConfig.fromJson(write(dir, json)))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("shift_factor")
        .hasMessageContaining("config.json");
  }

  @Test
  void otherBlockTypesAreRejectedByName(@TempDir Path dir) throws IOException {
    String json = REAL_CONFIG.replaceFirst("\"DownEncoderBlock2D\"", "\"AttnDownEncoderBlock2D\"");
    assertThatThrownBy(() -> VaeConfig.fromJson(write(dir, json)))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("down_block_types")
        .hasMessageContaining("AttnDownEncoderBlock2D");
    String up = REAL_CONFIG.replaceFirst("\"UpDecoderBlock2D\"", "\"AttnUpDecoderBlock2D\"");
    assertThatThrownBy(() -> VaeConfig.fromJson(write(dir, up)))
        .hasMessageContaining("up_block_types")
        .hasMessageContaining("AttnUpDecoderBlock2D");
  }

  @Test
  void otherActivationsAndClassesAreRejected(@TempDir Path dir) throws IOException {
    assertThatThrownBy(
            () -> VaeConfig.fromJson(write(dir, REAL_CONFIG.replace("\"silu\"", "\"gelu\""))))
        .hasMessageContaining("act_fn");
    assertThatThrownBy(
            () ->
                VaeConfig.fromJson(
                    write(dir, REAL_CONFIG.replace("\"AutoencoderKL\"", "\"AutoencoderTiny\""))))
        .hasMessageContaining("_class_name");
  }

  @Test
  void missingBlockListsAndFilesAreReported(@TempDir Path dir) throws IOException {
    String json = REAL_CONFIG.replace("\"block_out_channels\"", "\"renamed\"");
    assertThatThrownBy(() -> VaeConfig.fromJson(write(dir, json)))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("block_out_channels");
    assertThatThrownBy(() -> VaeConfig.fromJson(dir.resolve("absent.json")))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("absent.json");
  }

  @Test
  void compactConstructorNamesTheBadField() {
    VaeConfig ok = VaeConfig.sdVae();
    assertThatThrownBy(
            () ->
                new VaeConfig(
                    3,
                    3,
                    List.of(128, 250),
                    2,
                    4,
                    32,
                    "silu",
                    ok.downBlockTypes().subList(0, 2),
                    ok.upBlockTypes().subList(0, 2),
                    0.18215f,
                    true,
                    true,
                    true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("norm_num_groups");
    assertThatThrownBy(
            () ->
                new VaeConfig(
                    3,
                    3,
                    ok.blockOutChannels(),
                    2,
                    4,
                    32,
                    "silu",
                    ok.downBlockTypes().subList(0, 3),
                    ok.upBlockTypes(),
                    0.18215f,
                    true,
                    true,
                    true))
        .hasMessageContaining("down_block_types");
    assertThatThrownBy(
            () ->
                new VaeConfig(
                    3,
                    3,
                    ok.blockOutChannels(),
                    0,
                    4,
                    32,
                    "silu",
                    ok.downBlockTypes(),
                    ok.upBlockTypes(),
                    0.18215f,
                    true,
                    true,
                    true))
        .hasMessageContaining("layers_per_block");
    assertThatThrownBy(
            () ->
                new VaeConfig(
                    3,
                    3,
                    ok.blockOutChannels(),
                    2,
                    4,
                    32,
                    "silu",
                    ok.downBlockTypes(),
                    ok.upBlockTypes(),
                    Float.NaN,
                    true,
                    true,
                    true))
        .hasMessageContaining("scaling_factor");
  }

  private static Path write(Path dir, String json) throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return file;
  }
}
