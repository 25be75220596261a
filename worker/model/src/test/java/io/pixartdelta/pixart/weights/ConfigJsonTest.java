package io.pixartdelta.pixart.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.controlnet.ControlNetAdapterConfig;
import io.pixartdelta.pixart.pipeline.ModelDirectory;
import io.pixartdelta.pixart.schedulers.DpmSolverConfig;
import io.pixartdelta.pixart.schedulers.LcmConfig;
import io.pixartdelta.pixart.text.T5Config;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.vae.VaeConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigJsonTest {
  @TempDir Path dir;

  private Path write(String json) throws IOException {
    Path p = dir.resolve("config.json");
    Files.writeString(p, json);
    return p;
  }

  private <T> T read(String json, Function<JsonNode, T> parse) throws IOException {
    return ConfigJson.read(write(json), "test config", parse);
  }

  /** Reading {@code json} fails with a message naming the file, the field and the value. */
  private void assertRejected(String json, Function<JsonNode, ?> parse, String... parts)
      throws IOException {
    Path p = write(json);
    assertThatThrownBy(() -> ConfigJson.read(p, "test config", parse))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("test config " + p)
        .hasMessageContainingAll(parts);
  }

  @Test
  void integersMustBeJsonIntegers() throws IOException {
    Function<JsonNode, Integer> n = c -> ConfigJson.integer(c, "n", 7);
    assertThat(read("{\"n\": 1152}", n)).isEqualTo(1152);
    assertThat(read("{\"n\": -3}", n)).isEqualTo(-3);
    assertThat(read("{}", n)).isEqualTo(7);
    assertThat(read("{\"n\": null}", n)).isEqualTo(7);
    assertRejected("{\"n\": 4.0}", n, "n must be an integer", "4.0");
    assertRejected("{\"n\": 1152.5}", n, "n must be an integer", "1152.5");
    assertRejected("{\"n\": 1e3}", n, "n must be an integer");
    assertRejected("{\"n\": \"4\"}", n, "n must be an integer", "\"4\"");
    assertRejected("{\"n\": true}", n, "n must be an integer");
    assertRejected("{\"n\": 3000000000}", n, "n must be an integer", "3000000000");
  }

  @Test
  void requiredIntegersMustBePresent() throws IOException {
    Function<JsonNode, Integer> n = c -> ConfigJson.requiredInteger(c, "sample_size");
    assertThat(read("{\"sample_size\": 128}", n)).isEqualTo(128);
    assertRejected("{}", n, "sample_size is required");
    assertRejected("{\"sample_size\": null}", n, "sample_size is required");
    assertRejected("{\"sample_size\": 128.0}", n, "sample_size must be an integer");
  }

  @Test
  void booleansMustBeJsonBooleans() throws IOException {
    Function<JsonNode, Boolean> b = c -> ConfigJson.bool(c, "b", true);
    assertThat(read("{\"b\": false}", b)).isFalse();
    Function<JsonNode, Boolean> off = c -> ConfigJson.bool(c, "b", false);
    assertThat(read("{\"b\": true}", off)).isTrue();
    assertThat(read("{}", b)).isTrue();
    assertRejected("{\"b\": 0}", b, "b must be true or false", "0");
    assertRejected("{\"b\": \"false\"}", b, "b must be true or false", "\"false\"");
    assertRejected("{\"b\": {}}", b, "b must be true or false");
  }

  @Test
  void numbersTakeIntegersFloatsAndPythonsInfinity() throws IOException {
    Function<JsonNode, Double> x = c -> ConfigJson.number(c, "x", 0.5);
    assertThat(read("{\"x\": 1e-06}", x)).isEqualTo(1e-6);
    assertThat(read("{\"x\": 2}", x)).isEqualTo(2.0);
    assertThat(read("{\"x\": -Infinity}", x)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(read("{}", x)).isEqualTo(0.5);
    assertRejected("{\"x\": \"0.1\"}", x, "x must be a number", "\"0.1\"");
    assertRejected("{\"x\": false}", x, "x must be a number");
  }

  @Test
  void stringsMustBeJsonStrings() throws IOException {
    Function<JsonNode, String> s = c -> ConfigJson.text(c, "s", "dflt");
    assertThat(read("{\"s\": \"silu\"}", s)).isEqualTo("silu");
    assertThat(read("{\"s\": null}", s)).isEqualTo("dflt");
    assertRejected("{\"s\": 1}", s, "s must be a string", "1");
    assertRejected("{\"s\": [\"silu\"]}", s, "s must be a string");
  }

  @Test
  void listsAreRequiredAndTyped() throws IOException {
    Function<JsonNode, List<Integer>> ints = c -> ConfigJson.integers(c, "l");
    Function<JsonNode, List<String>> texts = c -> ConfigJson.texts(c, "l");
    assertThat(read("{\"l\": [1, 2]}", ints)).containsExactly(1, 2);
    assertThat(read("{\"l\": [\"a\"]}", texts)).containsExactly("a");
    assertRejected("{}", ints, "l is required");
    assertRejected("{\"l\": 3}", ints, "l is required (a JSON array)");
    assertRejected("{\"l\": [128, 256.0]}", ints, "must be an integer", "256.0");
    assertRejected("{\"l\": [\"a\", 2]}", texts, "l must hold strings");
  }

  @Test
  void fileProblemsNameTheFile() throws IOException {
    Function<JsonNode, Integer> any = c -> 0;
    Path missing = dir.resolve("absent.json");
    assertThatThrownBy(() -> ConfigJson.read(missing, "test config", any))
        .isInstanceOf(WeightException.class)
        .hasMessage("missing test config " + missing);
    assertRejected("[1, 2]", any, "is not a JSON object");
    Path corrupt = write("{\"n\": ");
    assertThatThrownBy(() -> ConfigJson.read(corrupt, "test config", any))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("corrupt test config " + corrupt);
  }

  @Test
  void constructorChecksAreReportedWithTheFile() throws IOException {
    assertRejected(
        "{}",
        c -> {
          throw new IllegalArgumentException("num_layers must be > 0, got 0");
        },
        "num_layers must be > 0");
  }

  @Test
  void weightIndexesAndModelIndexesFollowTheSameRule() throws IOException {
    Path index = write("{\"weight_map\": {\"shared.weight\": 3}}");
    assertThatThrownBy(() -> ShardedSafetensors.openIndex(index))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("weights index " + index)
        .hasMessageContaining("shared.weight must be a string");
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    Files.writeString(
        model.resolve("model_index.json"),
        "{\"_class_name\": \"PixArtAlphaPipeline\", \"vae\": [\"diffusers\", 1]}");
    assertThatThrownBy(() -> ModelDirectory.open(model))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("model index " + model.resolve("model_index.json"));
  }

  /** Every config file the repository ships or tests with parses under the strict rule. */
  @Test
  void everyCheckpointConfigInTheRepositoryParses() throws URISyntaxException {
    Path tools =
        Path.of(
                ConfigJsonTest.class
                    .getResource("/io/pixartdelta/pixart/tools/tiny-model/model_index.json")
                    .toURI())
            .getParent()
            .getParent();
    for (Path root : List.of(Fixtures.tinyModel(), tools.resolve("tiny-model"))) {
      assertThat(ModelDirectory.open(root).pipelineClass()).startsWith("PixArt");
      assertThat(T5Config.fromJson(root.resolve("text_encoder/config.json")).gatedAct()).isTrue();
      assertThat(PixArtConfig.fromJson(root.resolve("transformer/config.json")).patchSize())
          .isEqualTo(2);
      assertThat(VaeConfig.fromJson(root.resolve("vae/config.json")).latentChannels()).isEqualTo(4);
      assertThat(LcmConfig.fromJson(root.resolve("scheduler/scheduler_config.json")))
          .isEqualTo(LcmConfig.pixartLcm());
    }
    assertThat(
            ControlNetAdapterConfig.fromJson(Fixtures.path("controlnet/adapter/config.json"))
                .numLayers())
        .isPositive();
    PixArtConfig real =
        PixArtConfig.fromJson(tools.resolve("real-configs/transformer/config.json"));
    assertThat(real.innerDim()).isEqualTo(1152);
    assertThat(real.numLayers()).isEqualTo(28);
  }

  @ParameterizedTest
  @ValueSource(strings = {"default_s5", "order1_s6", "vpred_s8", "heun_leading_off1_s20"})
  void diffusersFullSchedulerConfigsParse(String variant) {
    // diffusers writes every field, defaults included (-Infinity, nulls, _use_default_values).
    DpmSolverConfig c =
        DpmSolverConfig.fromJson(Fixtures.path("dpm/" + variant + "/scheduler_config.json"));
    assertThat(c.numTrainTimesteps()).isEqualTo(1000);
  }
}
