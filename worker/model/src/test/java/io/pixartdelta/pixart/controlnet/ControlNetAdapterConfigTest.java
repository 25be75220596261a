package io.pixartdelta.pixart.controlnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter folder's config.json rules and the folder loader's strictness. */
class ControlNetAdapterConfigTest {

  @Test
  void readsTheFixtureConfig() {
    ControlNetAdapterConfig c =
        ControlNetAdapterConfig.fromJson(
            ControlNetFixture.adapterDir().resolve(ControlNetAdapter.CONFIG_FILE));
    assertThat(c.numLayers()).isEqualTo(2);
  }

  @Test
  void absentNumLayersMeansTheReleasedThirteen(@TempDir Path dir) throws IOException {
    assertThat(read(dir, "{\"_class_name\": \"PixArtControlNetAdapterModel\"}").numLayers())
        .isEqualTo(13);
    assertThat(read(dir, "{}").numLayers()).isEqualTo(ControlNetAdapterConfig.DEFAULT_NUM_LAYERS);
  }

  @Test
  void badValuesNameTheField(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> read(dir, "{\"_class_name\": \"ControlNetModel\"}"))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("_class_name");
    assertThatThrownBy(() -> read(dir, "{\"num_layers\": 0}"))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("num_layers");
    assertThatThrownBy(() -> read(dir, "{\"num_layers\": 1.5}"))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("num_layers");
    assertThatThrownBy(() -> read(dir, "[13]"))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> new ControlNetAdapterConfig(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("num_layers");
    Path absent = dir.resolve("absent.json");
    assertThatThrownBy(() -> ControlNetAdapterConfig.fromJson(absent))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining(absent.toString());
  }

  @Test
  void aFolderWhoseConfigPromisesMoreCopiesThanItsWeightsFails(@TempDir Path dir)
      throws IOException {
    PixArtConfig transformer =
        PixArtConfig.fromJson(ControlNetFixture.transformerDir().resolve("config.json"));
    Files.writeString(dir.resolve(ControlNetAdapter.CONFIG_FILE), "{\"num_layers\": 3}");
    assertThatThrownBy(() -> loadFolder(dir, transformer))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("no ControlNet adapter weights");
    Files.copy(
        ControlNetFixture.adapterDir().resolve(ControlNetAdapter.WEIGHTS_FILE),
        dir.resolve(ControlNetAdapter.WEIGHTS_FILE));
    assertThatThrownBy(() -> loadFolder(dir, transformer))
        .isInstanceOf(WeightException.class)
        // Copy 2: scale_shift_table, 2 × 4 attention linears, 2 feed-forward linears, after_proj.
        .hasMessageContaining("missing (23)")
        .hasMessageContaining("controlnet_blocks.2.transformer_block.scale_shift_table")
        .hasMessageContaining("controlnet_blocks.2.transformer_block.attn1.to_q.weight");
  }

  private static ControlNetAdapter loadFolder(Path dir, PixArtConfig transformer) {
    return ControlNetAdapter.loadFolder(
        dir, transformer, Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE);
  }

  private static ControlNetAdapterConfig read(Path dir, String json) throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return ControlNetAdapterConfig.fromJson(file);
  }
}
