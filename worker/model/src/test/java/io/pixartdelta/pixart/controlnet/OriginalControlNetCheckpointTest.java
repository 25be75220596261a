package io.pixartdelta.pixart.controlnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official-layout ControlNet .pth: name mapping, copy count, dropped buffers, and strictness
 * (edited copies of the fixture written with {@link PthWriter}).
 */
class OriginalControlNetCheckpointTest {
  private static PixArtConfig config;
  private static Map<String, PthWriter.Tensor> fixture;

  @BeforeAll
  static void read() {
    config = PixArtConfig.fromJson(ControlNetFixture.transformerDir().resolve("config.json"));
    fixture = PthWriter.read(ControlNetFixture.originalLayoutPth());
  }

  @Test
  void mapsTheFixtureOntoTheDiffusersNames() {
    try (OriginalControlNetCheckpoint pth =
            OriginalControlNetCheckpoint.open(ControlNetFixture.originalLayoutPth());
        SafetensorsFile adapter =
            SafetensorsFile.open(
                ControlNetFixture.adapterDir().resolve(ControlNetAdapter.WEIGHTS_FILE));
        SafetensorsFile base =
            SafetensorsFile.open(
                ControlNetFixture.transformerDir().resolve(PixArtTransformer.WEIGHTS_FILE))) {
      assertThat(pth.adapterLayers()).isEqualTo(2);
      assertThat(pth.droppedTensors())
          .containsExactlyInAnyOrder("base_model.pos_embed", "base_model.y_embedder.y_embedding");
      assertThat(pth.adapterTensors().names()).containsExactlyInAnyOrderElementsOf(adapter.names());
      assertThat(pth.baseTransformerTensors().names())
          .containsExactlyInAnyOrderElementsOf(base.names());
      for (String name : adapter.names()) {
        assertThat(pth.adapterTensors().info(name).shape())
            .as(name)
            .isEqualTo(adapter.info(name).shape());
      }
    }
  }

  @Test
  void splitTensorsAreReadOnceAndReleasedWhenEveryPartIsServed() {
    String q = "controlnet_blocks.1.transformer_block.attn1.to_q.weight";
    String k = "controlnet_blocks.1.transformer_block.attn1.to_k.weight";
    String v = "controlnet_blocks.1.transformer_block.attn1.to_v.weight";
    try (OriginalControlNetCheckpoint pth =
            OriginalControlNetCheckpoint.open(ControlNetFixture.originalLayoutPth());
        SafetensorsFile adapter =
            SafetensorsFile.open(
                ControlNetFixture.adapterDir().resolve(ControlNetAdapter.WEIGHTS_FILE));
        NDManager m = NDManager.newBaseManager()) {
      MappedTensorSource source = (MappedTensorSource) pth.adapterTensors();
      assertThat(source.originalOf(k)).isEqualTo("controlnet.1.copied_block.attn.qkv.weight");
      NDArray first = source.load(k, m, DataType.FLOAT32);
      assertThat(source.cachedOriginals()).isEqualTo(1);
      source.load(q, m, DataType.FLOAT32);
      source.load(v, m, DataType.FLOAT32);
      assertThat(source.cachedOriginals()).isZero();
      // Asking again re-reads the original.
      NDArray again = source.load(k, m, DataType.FLOAT32);
      assertThat(again.toFloatArray()).containsExactly(first.toFloatArray());
      assertThat(first.toFloatArray())
          .containsExactly(adapter.load(k, m, DataType.FLOAT32).toFloatArray());
      assertThat(first.getManager()).isSameAs(m);
      source.close();
      assertThat(source.cachedOriginals()).isZero();
    }
  }

  @Test
  void aRewrittenCompleteCopyLoadsBothParts(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("complete.pth");
    PthWriter.write(file, fixture);
    try (OriginalControlNetCheckpoint pth = OriginalControlNetCheckpoint.open(file);
        ControlNetAdapter adapter =
            pth.loadAdapter(config, Device.cpu(), DataType.FLOAT32, kernels());
        PixArtTransformer base =
            pth.loadBaseTransformer(config, Device.cpu(), DataType.FLOAT32, kernels())) {
      assertThat(adapter.numLayers()).isEqualTo(2);
      assertThat(base.numBlocks()).isEqualTo(3);
      assertThat(((MappedTensorSource) pth.adapterTensors()).cachedOriginals()).isZero();
      assertThat(((MappedTensorSource) pth.baseTransformerTensors()).cachedOriginals()).isZero();
    }
  }

  @Test
  void aMissingAdapterTensorIsReportedByItsDiffusersNames(@TempDir Path dir) throws IOException {
    Path file = write(dir, without("controlnet.1.copied_block.cross_attn.kv_linear.weight"));
    try (OriginalControlNetCheckpoint pth = OriginalControlNetCheckpoint.open(file)) {
      assertThatThrownBy(() -> pth.loadAdapter(config, Device.cpu(), DataType.FLOAT32, kernels()))
          .isInstanceOf(WeightException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("missing (2)")
          .hasMessageContaining("controlnet_blocks.1.transformer_block.attn2.to_k.weight")
          .hasMessageContaining("controlnet_blocks.1.transformer_block.attn2.to_v.weight");
      // The base part is complete and still loads.
      pth.loadBaseTransformer(config, Device.cpu(), DataType.FLOAT32, kernels()).close();
    }
  }

  @Test
  void aMissingBaseTensorIsReportedByItsDiffusersName(@TempDir Path dir) throws IOException {
    Path file = write(dir, without("base_model.blocks.2.mlp.fc1.bias"));
    try (OriginalControlNetCheckpoint pth = OriginalControlNetCheckpoint.open(file)) {
      assertThatThrownBy(
              () -> pth.loadBaseTransformer(config, Device.cpu(), DataType.FLOAT32, kernels()))
          .isInstanceOf(WeightException.class)
          .hasMessageContaining("missing (1)")
          .hasMessageContaining("transformer_blocks.2.ff.net.0.proj.bias");
    }
  }

  @Test
  void aMissingCopyIsAGapNotASmallerAdapter(@TempDir Path dir) throws IOException {
    Map<String, PthWriter.Tensor> tensors = new LinkedHashMap<>(fixture);
    tensors.keySet().removeIf(n -> n.startsWith("controlnet.0."));
    Path file = write(dir, tensors);
    try (OriginalControlNetCheckpoint pth = OriginalControlNetCheckpoint.open(file)) {
      assertThat(pth.adapterLayers()).isEqualTo(2);
      assertThatThrownBy(() -> pth.loadAdapter(config, Device.cpu(), DataType.FLOAT32, kernels()))
          .isInstanceOf(WeightException.class)
          .hasMessageContaining("controlnet_blocks.0.before_proj.weight")
          .hasMessageContaining("controlnet_blocks.0.transformer_block.scale_shift_table");
    }
  }

  @Test
  void tensorsOutsideTheLayoutFailAtOpenAllNamed(@TempDir Path dir) throws IOException {
    Map<String, PthWriter.Tensor> tensors = new LinkedHashMap<>(fixture);
    tensors.put("ema.blocks.0.attn.qkv.weight", PthWriter.Tensor.zeros(144, 48));
    tensors.put("controlnet.0.copied_block.attn.rope.weight", PthWriter.Tensor.zeros(48));
    tensors.put("base_model.blocks.0.attn.qkv.bias_extra", PthWriter.Tensor.zeros(48));
    tensors.put("controlnet.1.copied_block.attn.qkv.bias", PthWriter.Tensor.zeros(145));
    Path file = write(dir, tensors);
    assertThatThrownBy(() -> OriginalControlNetCheckpoint.open(file))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("ema.blocks.0.attn.qkv.weight")
        .hasMessageContaining("controlnet.0.copied_block.attn.rope.weight")
        .hasMessageContaining("base_model.blocks.0.attn.qkv.bias_extra")
        .hasMessageContaining("controlnet.1.copied_block.attn.qkv.bias");
  }

  @Test
  void extraOrMisshapedAdapterTensorsAreRejectedWhenLoading(@TempDir Path dir) throws IOException {
    Map<String, PthWriter.Tensor> tensors = new LinkedHashMap<>(fixture);
    tensors.put("controlnet.1.before_proj.weight", PthWriter.Tensor.zeros(48, 48));
    tensors.put("controlnet.0.after_proj.bias", PthWriter.Tensor.zeros(47));
    Path file = write(dir, tensors);
    try (OriginalControlNetCheckpoint pth = OriginalControlNetCheckpoint.open(file)) {
      assertThatThrownBy(() -> pth.loadAdapter(config, Device.cpu(), DataType.FLOAT32, kernels()))
          .isInstanceOf(WeightException.class)
          .hasMessageContaining("unexpected (1): controlnet_blocks.1.before_proj.weight")
          .hasMessageContaining("wrong shape (1): controlnet_blocks.0.after_proj.bias");
    }
  }

  @Test
  void aBaseOnlyCheckpointIsNotAControlNet(@TempDir Path dir) throws IOException {
    Map<String, PthWriter.Tensor> tensors = new LinkedHashMap<>(fixture);
    tensors.keySet().removeIf(n -> n.startsWith("controlnet."));
    Path file = write(dir, tensors);
    assertThatThrownBy(() -> OriginalControlNetCheckpoint.open(file))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("no controlnet.* tensors");
  }

  @Test
  void adapterLoadAcceptsEitherPublishedForm() {
    try (ControlNetAdapter fromPth =
            ControlNetAdapter.load(
                ControlNetFixture.originalLayoutPth(),
                config,
                Device.cpu(),
                DataType.FLOAT32,
                kernels());
        ControlNetAdapter fromFolder =
            ControlNetAdapter.load(
                ControlNetFixture.adapterDir(),
                config,
                Device.cpu(),
                DataType.FLOAT32,
                kernels())) {
      assertThat(fromPth.numLayers()).isEqualTo(fromFolder.numLayers()).isEqualTo(2);
      assertThat(fromPth.weights().all().keySet())
          .containsExactlyInAnyOrderElementsOf(fromFolder.weights().all().keySet());
    }
  }

  @Test
  void aMissingFileIsAWeightException(@TempDir Path dir) {
    Path file = dir.resolve("absent.pth");
    assertThatThrownBy(() -> OriginalControlNetCheckpoint.open(file))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining(file.toString());
  }

  private static Map<String, PthWriter.Tensor> without(String name) {
    Map<String, PthWriter.Tensor> tensors = new LinkedHashMap<>(fixture);
    assertThat(tensors.remove(name)).as(name).isNotNull();
    return tensors;
  }

  private static Path write(Path dir, Map<String, PthWriter.Tensor> tensors) throws IOException {
    Path file = dir.resolve("edited.pth");
    PthWriter.write(file, tensors);
    return file;
  }

  private static NdArrayKernels kernels() {
    return NdArrayKernels.INSTANCE;
  }
}
