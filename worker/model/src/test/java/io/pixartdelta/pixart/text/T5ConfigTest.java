package io.pixartdelta.pixart.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class T5ConfigTest {
  @TempDir Path dir;

  private Path write(String json) throws IOException {
    Path p = dir.resolve("config.json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void readsTheTinyFixtureConfigAndIgnoresNewerKeys() {
    T5Config c = T5Config.fromJson(Fixtures.path("model/text_encoder/config.json"));
    assertThat(c)
        .isEqualTo(
            new T5Config(32, 8, 4, 64, 2, 1152, 32, 128, 1e-6, "gated-gelu", "gelu_new", true));
    assertThat(c.innerDim()).isEqualTo(32);
    assertThat(c.epsilon()).isEqualTo(1e-6f);
  }

  @Test
  void theRealT5XxlConfigGivesTheXxlDimensions() throws IOException {
    // The 2023 text_encoder/config.json of PixArt-alpha/PixArt-LCM-XL-2-1024-MS on Hugging Face:
    // no dense_act_fn, no is_gated_act.
    T5Config c =
        T5Config.fromJson(
            write(
                "{\"architectures\": [\"T5EncoderModel\"], \"d_ff\": 10240, \"d_kv\": 64,"
                    + " \"d_model\": 4096, \"decoder_start_token_id\": 0, \"dropout_rate\": 0.1,"
                    + " \"eos_token_id\": 1, \"feed_forward_proj\": \"gated-gelu\","
                    + " \"initializer_factor\": 1.0, \"is_encoder_decoder\": true,"
                    + " \"layer_norm_epsilon\": 1e-06, \"model_type\": \"t5\","
                    + " \"num_decoder_layers\": 24, \"num_heads\": 64, \"num_layers\": 24,"
                    + " \"output_past\": true, \"pad_token_id\": 0,"
                    + " \"relative_attention_max_distance\": 128,"
                    + " \"relative_attention_num_buckets\": 32, \"tie_word_embeddings\": false,"
                    + " \"torch_dtype\": \"float32\", \"transformers_version\": \"4.35.0\","
                    + " \"use_cache\": true, \"vocab_size\": 32128}"));
    assertThat(c).isEqualTo(T5Config.t5V11Xxl());
    assertThat(c.innerDim()).isEqualTo(4096);
  }

  @Test
  void absentKeysTakeTransformersDefaults() throws IOException {
    T5Config c = T5Config.fromJson(write("{\"feed_forward_proj\": \"gated-gelu\"}"));
    assertThat(c)
        .isEqualTo(
            new T5Config(
                512, 64, 8, 2048, 6, 32128, 32, 128, 1e-6, "gated-gelu", "gelu_new", true));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gated-gelu_new", "gated-gelu_pytorch_tanh"})
  void otherSpellingsOfGatedTanhGeluAreAccepted(String proj) throws IOException {
    T5Config c = T5Config.fromJson(write("{\"feed_forward_proj\": \"" + proj + "\"}"));
    assertThat(c.gatedAct()).isTrue();
    assertThat(c.denseActFn()).isEqualTo(proj.substring("gated-".length()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}", // feed_forward_proj defaults to relu (T5 v1.0)
        "{\"feed_forward_proj\": \"relu\"}",
        "{\"feed_forward_proj\": \"gated-silu\"}",
        "{\"feed_forward_proj\": \"gelu\"}",
        "{\"feed_forward_proj\": \"gated-gelu\", \"is_gated_act\": false}",
        "{\"feed_forward_proj\": \"gated-gelu\", \"dense_act_fn\": \"gelu\"}"
      })
  void unsupportedFeedForwardVariantsAreRejectedClearly(String json) throws IOException {
    Path p = write(json);
    assertThatThrownBy(() -> T5Config.fromJson(p))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("feed_forward_proj")
        .hasMessageContaining("not supported")
        .hasMessageContaining(p.toString());
  }

  @Test
  void malformedFeedForwardProjIsRejected() throws IOException {
    Path p = write("{\"feed_forward_proj\": \"fancy-gated-gelu\"}");
    assertThatThrownBy(() -> T5Config.fromJson(p))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("[gated-]<activation>");
  }

  @Test
  void otherModelTypesAreRejected() throws IOException {
    Path p = write("{\"model_type\": \"umt5\", \"feed_forward_proj\": \"gated-gelu\"}");
    assertThatThrownBy(() -> T5Config.fromJson(p))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("model_type");
  }

  @Test
  void badValuesNameTheirField() throws IOException {
    Path zero = write("{\"feed_forward_proj\": \"gated-gelu\", \"d_model\": 0}");
    assertThatThrownBy(() -> T5Config.fromJson(zero)).hasMessageContaining("d_model");
    Path text = write("{\"feed_forward_proj\": \"gated-gelu\", \"num_heads\": \"many\"}");
    assertThatThrownBy(() -> T5Config.fromJson(text)).hasMessageContaining("num_heads");
    Path odd =
        write("{\"feed_forward_proj\": \"gated-gelu\", \"relative_attention_num_buckets\": 7}");
    assertThatThrownBy(() -> T5Config.fromJson(odd))
        .hasMessageContaining("relative_attention_num_buckets");
    Path eps = write("{\"feed_forward_proj\": \"gated-gelu\", \"layer_norm_epsilon\": -1}");
    assertThatThrownBy(() -> T5Config.fromJson(eps)).hasMessageContaining("layer_norm_epsilon");
    assertThatThrownBy(
            () -> new T5Config(32, 8, 4, 64, 2, 1152, 32, 8, 1e-6, "gated-gelu", "gelu_new", true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relative_attention_max_distance");
  }

  @Test
  void missingOrCorruptFilesAreWeightExceptions() throws IOException {
    assertThatThrownBy(() -> T5Config.fromJson(dir.resolve("nope.json")))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("missing");
    Path p = write("{not json");
    assertThatThrownBy(() -> T5Config.fromJson(p))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("corrupt");
    Path array = write("[1, 2]");
    assertThatThrownBy(() -> T5Config.fromJson(array))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("not a JSON object");
  }
}
