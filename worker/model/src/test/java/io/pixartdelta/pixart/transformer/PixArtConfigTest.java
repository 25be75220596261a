package io.pixartdelta.pixart.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PixArtConfigTest {

  /**
   * The real {@code transformer/config.json} of Hugging Face {@code
   * PixArt-alpha/PixArt-LCM-XL-2-1024-MS} (the 2023 file, legacy class name).
   */
  private static final String REAL_CONFIG =
      """
      {
        "_class_name": "Transformer2DModel",
        "_diffusers_version": "0.22.0.dev0",
        "activation_fn": "gelu-approximate",
        "attention_bias": true,
        "attention_head_dim": 72,
        "attention_type": "default",
        "caption_channels": 4096,
        "cross_attention_dim": 1152,
        "double_self_attention": false,
        "dropout": 0.0,
        "in_channels": 4,
        "norm_elementwise_affine": false,
        "norm_eps": 1e-06,
        "norm_num_groups": 32,
        "norm_type": "ada_norm_single",
        "num_attention_heads": 16,
        "num_embeds_ada_norm": 1000,
        "num_layers": 28,
        "num_vector_embeds": null,
        "only_cross_attention": false,
        "out_channels": 8,
        "patch_size": 2,
        "sample_size": 128,
        "upcast_attention": false,
        "use_linear_projection": false
      }
      """;

  @Test
  void readsTheTinyFixtureConfig() {
    PixArtConfig c = PixArtConfig.fromJson(Fixtures.tinyModel().resolve("transformer/config.json"));
    assertThat(c.numAttentionHeads()).isEqualTo(2);
    assertThat(c.attentionHeadDim()).isEqualTo(24);
    assertThat(c.innerDim()).isEqualTo(48);
    assertThat(c.numLayers()).isEqualTo(3);
    assertThat(c.inChannels()).isEqualTo(4);
    assertThat(c.outChannels()).isEqualTo(8);
    assertThat(c.patchSize()).isEqualTo(2);
    assertThat(c.sampleSize()).isEqualTo(128);
    assertThat(c.captionChannels()).isEqualTo(32);
    assertThat(c.crossAttentionDim()).isEqualTo(48);
    assertThat(c.normEps()).isEqualTo(1e-6f);
    assertThat(c.interpolationScale()).isEqualTo(2.0);
    assertThat(c.useAdditionalConditions()).isTrue();
    assertThat(c.feedForwardDim()).isEqualTo(192);
    assertThat(c.microConditionDim()).isEqualTo(16);
    assertThat(c.baseGridSize()).isEqualTo(64);
    assertThat(c.patchOutputDim()).isEqualTo(32);
  }

  @Test
  void realConfigWithoutTheTwoKeysGetsTheReferenceDefaults(@TempDir Path dir) throws IOException {
    PixArtConfig c = PixArtConfig.fromJson(write(dir, REAL_CONFIG));
    assertThat(c.innerDim()).isEqualTo(1152);
    assertThat(c.numLayers()).isEqualTo(28);
    assertThat(c.captionChannels()).isEqualTo(4096);
    assertThat(c.feedForwardDim()).isEqualTo(4608);
    assertThat(c.microConditionDim()).isEqualTo(384);
    assertThat(c.interpolationScale()).isEqualTo(2.0);
    assertThat(c.useAdditionalConditions()).isTrue();
    assertThat(
            PixArtTransformer.weightSpec(c).expected().values().stream()
                .mapToLong(s -> s.size())
                .sum())
        .as("parameter count of the real transformer")
        .isEqualTo(611_349_152L);
  }

  @Test
  void defaultsFollowTheSampleSize(@TempDir Path dir) throws IOException {
    PixArtConfig small =
        PixArtConfig.fromJson(
            write(dir, REAL_CONFIG.replace("\"sample_size\": 128", "\"sample_size\": 64")));
    assertThat(small.interpolationScale()).isEqualTo(1.0);
    assertThat(small.useAdditionalConditions()).isFalse();
    PixArtConfig tiny =
        PixArtConfig.fromJson(
            write(dir, REAL_CONFIG.replace("\"sample_size\": 128", "\"sample_size\": 32")));
    assertThat(tiny.interpolationScale()).isEqualTo(1.0);
    PixArtConfig large =
        PixArtConfig.fromJson(
            write(dir, REAL_CONFIG.replace("\"sample_size\": 128", "\"sample_size\": 256")));
    assertThat(large.interpolationScale()).isEqualTo(4.0);
    assertThat(large.useAdditionalConditions()).isFalse();
  }

  @Test
  void explicitNullsAlsoMeanDefaults(@TempDir Path dir) throws IOException {
    String json =
        REAL_CONFIG.replace(
            "\"use_linear_projection\": false",
            "\"use_linear_projection\": false, \"interpolation_scale\": null,"
                + " \"use_additional_conditions\": null");
    PixArtConfig c = PixArtConfig.fromJson(write(dir, json));
    assertThat(c.interpolationScale()).isEqualTo(2.0);
    assertThat(c.useAdditionalConditions()).isTrue();
  }

  @Test
  void modernClassNameIsAccepted(@TempDir Path dir) throws IOException {
    PixArtConfig c =
        PixArtConfig.fromJson(
            write(
                dir,
                REAL_CONFIG.replace("\"Transformer2DModel\"", "\"PixArtTransformer2DModel\"")));
    assertThat(c.numLayers()).isEqualTo(28);
  }

  @Test
  void unsupportedVariantsAreRejectedNamingTheField(@TempDir Path dir) throws IOException {
    assertRejected(
        dir, REAL_CONFIG.replace("\"ada_norm_single\"", "\"ada_norm_zero\""), "norm_type");
    assertRejected(dir, REAL_CONFIG.replace("\"gelu-approximate\"", "\"geglu\""), "activation_fn");
    assertRejected(
        dir,
        REAL_CONFIG.replace("\"Transformer2DModel\"", "\"UNet2DConditionModel\""),
        "_class_name");
    assertRejected(
        dir,
        REAL_CONFIG.replace(
            "\"norm_elementwise_affine\": false", "\"norm_elementwise_affine\": true"),
        "norm_elementwise_affine");
    assertRejected(
        dir,
        REAL_CONFIG.replace("\"cross_attention_dim\": 1152", "\"cross_attention_dim\": 4096"),
        "cross_attention_dim");
    assertRejected(
        dir, REAL_CONFIG.replace("\"num_layers\": 28", "\"num_layers\": 0"), "num_layers");
    assertRejected(dir, REAL_CONFIG.replace("\"patch_size\": 2,", ""), "patch_size");
    assertRejected(
        dir,
        REAL_CONFIG.replace("\"caption_channels\": 4096", "\"caption_channels\": null"),
        "caption_channels");
    assertRejected(dir, "[1, 2]", "not a JSON object");
  }

  @Test
  void missingFileIsAStartupError(@TempDir Path dir) {
    assertThatThrownBy(() -> PixArtConfig.fromJson(dir.resolve("config.json")))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("config.json");
  }

  @Test
  void compactConstructorValidates() {
    assertThatThrownBy(() -> new PixArtConfig(2, 24, 3, 4, 8, 2, 128, 32, 48, 0f, true, 2.0, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("norm_eps");
    assertThatThrownBy(
            () -> new PixArtConfig(2, 25, 3, 4, 8, 2, 128, 32, 50, 1e-6f, true, 2.0, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("divisible by 3");
    assertThatThrownBy(
            () -> new PixArtConfig(2, 24, 3, 4, 8, 3, 128, 32, 48, 1e-6f, true, 2.0, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("patch_size");
  }

  private static void assertRejected(Path dir, String json, String field) throws IOException {
    Path file = write(dir, json);
    assertThatThrownBy(() -> PixArtConfig.fromJson(file))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(field);
  }

  private static Path write(Path dir, String json) throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return file;
  }
}
