package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import io.pixartdelta.pixart.weights.SafetensorsWriter;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.WeightSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderKlWeightsTest {
  private static final Map<String, String> OLD_NAMES =
      Map.of(
          ".to_q.", ".query.",
          ".to_k.", ".key.",
          ".to_v.", ".value.",
          ".to_out.0.", ".proj_attn.");

  @Test
  void realModelHasThePublishedParameterCounts() {
    WeightSpec spec = AutoencoderKl.weightSpec(VaeConfig.sdVae());
    // sd-vae-ft-ema: 83,653,863 = encoder 34,163,592 + decoder 49,490,179 (+ the two 1×1 convs).
    assertThat(count(spec, "")).isEqualTo(83_653_863L);
    assertThat(count(spec, "encoder.")).isEqualTo(34_163_592L);
    assertThat(count(spec, "decoder.")).isEqualTo(49_490_179L);
    Map<String, Shape> e = spec.expected();
    assertThat(e.get("encoder.conv_in.weight")).isEqualTo(new Shape(128, 3, 3, 3));
    assertThat(e.get("encoder.down_blocks.1.resnets.0.conv_shortcut.weight"))
        .isEqualTo(new Shape(256, 128, 1, 1));
    assertThat(e.get("encoder.down_blocks.2.downsamplers.0.conv.weight"))
        .isEqualTo(new Shape(512, 512, 3, 3));
    assertThat(e).doesNotContainKey("encoder.down_blocks.3.downsamplers.0.conv.weight");
    assertThat(e.get("encoder.conv_out.weight")).isEqualTo(new Shape(8, 512, 3, 3));
    assertThat(e.get("quant_conv.weight")).isEqualTo(new Shape(8, 8, 1, 1));
    assertThat(e.get("post_quant_conv.weight")).isEqualTo(new Shape(4, 4, 1, 1));
    assertThat(e.get("decoder.conv_in.weight")).isEqualTo(new Shape(512, 4, 3, 3));
    assertThat(e.get("decoder.mid_block.attentions.0.to_out.0.weight"))
        .isEqualTo(new Shape(512, 512));
    assertThat(e).containsKey("decoder.up_blocks.0.resnets.2.conv2.weight");
    assertThat(e.get("decoder.up_blocks.2.resnets.0.conv_shortcut.weight"))
        .isEqualTo(new Shape(256, 512, 1, 1));
    assertThat(e.get("decoder.up_blocks.3.resnets.0.conv_shortcut.weight"))
        .isEqualTo(new Shape(128, 256, 1, 1));
    assertThat(e).doesNotContainKey("decoder.up_blocks.3.upsamplers.0.conv.weight");
    assertThat(e.get("decoder.conv_out.weight")).isEqualTo(new Shape(3, 128, 3, 3));
    assertThat(spec.aliasesOf("encoder.mid_block.attentions.0.to_out.0.bias"))
        .containsExactly("encoder.mid_block.attentions.0.proj_attn.bias");
  }

  @Test
  void tinySpecMatchesTheFixtureCheckpointExactly() {
    VaeConfig config = VaeConfig.fromJson(Fixtures.path("model/vae/config.json"));
    try (SafetensorsFile f =
        SafetensorsFile.open(Fixtures.path("model/vae/diffusion_pytorch_model.safetensors"))) {
      Map<String, String> resolved = StrictLoader.resolve(f, AutoencoderKl.weightSpec(config));
      assertThat(resolved.keySet()).containsExactlyInAnyOrderElementsOf(f.names());
    }
  }

  @Test
  void oldAttentionNamesAsOneByOneConvsLoadAndDecodeIdentically(@TempDir Path dir)
      throws IOException {
    copyCheckpoint(
        dir,
        (name, w) -> {
          for (Map.Entry<String, String> e : OLD_NAMES.entrySet()) {
            if (name.contains(".attentions.0" + e.getKey())) {
              return name.replace(e.getKey(), e.getValue());
            }
          }
          return name;
        },
        true);
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(AutoencoderKl.WEIGHTS_FILE))) {
      assertThat(f.names()).doesNotContain("decoder.mid_block.attentions.0.to_q.weight");
      assertThat(f.info("decoder.mid_block.attentions.0.query.weight").shape())
          .isEqualTo(new Shape(16, 16, 1, 1));
      assertThat(f.info("encoder.mid_block.attentions.0.proj_attn.bias").shape())
          .isEqualTo(new Shape(16));
    }
    try (AutoencoderKl renamed = load(dir);
        AutoencoderKl original = load(Fixtures.path("model/vae"));
        NDManager m = NDManager.newBaseManager()) {
      NDArray z = Fixtures.array(m, VaeFixtures.DECODE + "/decoder_input.npy");
      NDArray image = renamed.decode(z);
      VaeFixtures.assertMatches(VaeFixtures.DECODE, "image", image);
      Parity.assertAllClose(image, original.decode(z), 0, 0);
    }
  }

  @Test
  void missingAndUnexpectedTensorsAreReportedByName(@TempDir Path dir) throws IOException {
    copyCheckpoint(
        dir,
        (name, w) ->
            name.equals("decoder.conv_out.bias")
                ? null
                : name.equals("decoder.conv_in.bias") ? "decoder.conv_in.extra" : name,
        false);
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("missing")
        .hasMessageContaining("decoder.conv_out.bias")
        .hasMessageContaining("decoder.conv_in.bias")
        .hasMessageContaining("unexpected")
        .hasMessageContaining("decoder.conv_in.extra");
  }

  @Test
  void missingWeightsFileIsReported(@TempDir Path dir) throws IOException {
    Files.copy(Fixtures.path("model/vae/config.json"), dir.resolve("config.json"));
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("diffusion_pytorch_model.safetensors");
  }

  private static AutoencoderKl load(Path dir) {
    return AutoencoderKl.load(dir, Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE);
  }

  /**
   * Copies the tiny VAE into {@code dir}, renaming tensors ({@code rename} returns null to drop
   * one) and, if {@code asConv}, storing 2-D weights as [o, i, 1, 1].
   */
  private static void copyCheckpoint(
      Path dir, BiFunction<String, NDArray, String> rename, boolean asConv) throws IOException {
    Files.copy(Fixtures.path("model/vae/config.json"), dir.resolve("config.json"));
    try (SafetensorsFile f =
            SafetensorsFile.open(Fixtures.path("model/vae/diffusion_pytorch_model.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> out = new LinkedHashMap<>();
      for (String name : f.names()) {
        NDArray w = f.load(name, m, DataType.FLOAT32);
        String target = rename.apply(name, w);
        if (target == null) {
          continue;
        }
        if (asConv && !target.equals(name) && w.getShape().dimension() == 2) {
          w = w.reshape(w.getShape().get(0), w.getShape().get(1), 1, 1);
        }
        out.put(target, w);
      }
      SafetensorsWriter.write(
          dir.resolve("diffusion_pytorch_model.safetensors"), out, Map.of("format", "pt"));
    }
  }

  private static long count(WeightSpec spec, String prefix) {
    return spec.expected().entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue().size())
        .sum();
  }
}
