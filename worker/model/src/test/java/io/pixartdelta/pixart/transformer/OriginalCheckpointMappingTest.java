package io.pixartdelta.pixart.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping.Component;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping.Mapping;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping.Operation;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import io.pixartdelta.pixart.weights.WeightException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The original → diffusers key mapping against the manifest's {@code controlnet/original_layout}
 * table, with shapes taken from the two diffusers checkpoints of the fixtures.
 */
class OriginalCheckpointMappingTest {

  @Test
  void everyOriginalKeyOfTheFixtureMapsAsTheReferenceConverted() {
    JsonNode table = TransformerFixture.manifestCase("controlnet/original_layout").get("mapping");
    try (SafetensorsFile transformer =
            SafetensorsFile.open(
                Fixtures.tinyModel().resolve("transformer/diffusion_pytorch_model.safetensors"));
        SafetensorsFile adapter =
            SafetensorsFile.open(
                Fixtures.path("controlnet/adapter/diffusion_pytorch_model.safetensors"))) {
      Map<Component, SafetensorsFile> files =
          Map.of(Component.TRANSFORMER, transformer, Component.CONTROLNET_ADAPTER, adapter);
      Map<Component, Set<String>> produced =
          Map.of(
              Component.TRANSFORMER,
              new HashSet<>(),
              Component.CONTROLNET_ADAPTER,
              new HashSet<>());
      int dropped = 0;
      for (JsonNode entry : table) {
        String original = entry.get("original").asText();
        List<String> keys = new ArrayList<>();
        entry.get("diffusers_keys").forEach(k -> keys.add(k.asText()));
        Component component =
            original.startsWith("controlnet.")
                ? Component.CONTROLNET_ADAPTER
                : Component.TRANSFORMER;
        Shape shape =
            keys.isEmpty() ? droppedShape(original) : concatDim0(files.get(component), keys);

        Mapping mapping = OriginalCheckpointMapping.map(original, shape);

        assertThat(mapping.original()).isEqualTo(original);
        assertThat(mapping.targets()).as(original).containsExactlyElementsOf(keys);
        String op = entry.get("op").asText();
        if (keys.isEmpty()) {
          assertThat(mapping.operation()).as(original).isEqualTo(Operation.DROP);
          dropped++;
          continue;
        }
        assertThat(mapping.component()).as(original).isEqualTo(component);
        assertThat(mapping.operation())
            .as(original)
            .isEqualTo(op.equals("concat_dim0") ? Operation.SPLIT_DIM0 : Operation.RENAME);
        for (int i = 0; i < keys.size(); i++) {
          assertThat(mapping.targetShapes().get(i))
              .as(keys.get(i))
              .isEqualTo(files.get(component).info(keys.get(i)).shape());
        }
        for (String k : keys) {
          assertThat(produced.get(component).add(k)).as("%s produced twice", k).isTrue();
        }
      }
      assertThat(dropped).isEqualTo(2);
      // Together the original keys produce every diffusers tensor, each exactly once.
      assertThat(produced.get(Component.TRANSFORMER)).isEqualTo(transformer.names());
      assertThat(produced.get(Component.CONTROLNET_ADAPTER)).isEqualTo(adapter.names());
    }
  }

  @Test
  void bareOriginalKeysOfAPlainPixArtCheckpointMapToo() {
    Mapping m = OriginalCheckpointMapping.map("blocks.27.attn.qkv.weight", new Shape(3456, 1152));
    assertThat(m.operation()).isEqualTo(Operation.SPLIT_DIM0);
    assertThat(m.component()).isEqualTo(Component.TRANSFORMER);
    assertThat(m.targets())
        .containsExactly(
            "transformer_blocks.27.attn1.to_q.weight",
            "transformer_blocks.27.attn1.to_k.weight",
            "transformer_blocks.27.attn1.to_v.weight");
    assertThat(m.targetShapes()).containsOnly(new Shape(1152, 1152));
    Mapping kv =
        OriginalCheckpointMapping.map("blocks.0.cross_attn.kv_linear.bias", new Shape(2304));
    assertThat(kv.targets())
        .containsExactly(
            "transformer_blocks.0.attn2.to_k.bias", "transformer_blocks.0.attn2.to_v.bias");
    assertThat(kv.targetShapes()).containsOnly(new Shape(1152));
    assertThat(OriginalCheckpointMapping.map("t_block.1.weight", new Shape(6912, 1152)).targets())
        .containsExactly("adaln_single.linear.weight");
    assertThat(OriginalCheckpointMapping.map("pos_embed", new Shape(1, 4096, 1152)).operation())
        .isEqualTo(Operation.DROP);
  }

  @Test
  void splitInstructionsCutAlongTheFirstAxisInTargetOrder() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray qkv = m.arange(0f, 24f, 1f, DataType.FLOAT32).reshape(6, 4); // (3·2, 4)
      Mapping mapping =
          OriginalCheckpointMapping.map("base_model.blocks.1.attn.qkv.weight", qkv.getShape());
      List<NDArray> parts = mapping.apply(qkv);
      assertThat(parts).hasSize(3);
      assertThat(parts.get(0).toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
      assertThat(parts.get(1).toFloatArray()).containsExactly(8, 9, 10, 11, 12, 13, 14, 15);
      assertThat(parts.get(2).toFloatArray()).containsExactly(16, 17, 18, 19, 20, 21, 22, 23);
      NDArray w = m.ones(new Shape(2, 2));
      assertThat(
              OriginalCheckpointMapping.map("base_model.t_block.1.weight", w.getShape()).apply(w))
          .singleElement()
          .isSameAs(w);
      assertThat(OriginalCheckpointMapping.map("base_model.pos_embed", w.getShape()).apply(w))
          .isEmpty();
    }
  }

  @Test
  void unknownKeysAndBadSplitsAreRejected() {
    assertThatThrownBy(
            () -> OriginalCheckpointMapping.map("base_model.blocks.0.attn.rope", new Shape(4)))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("base_model.blocks.0.attn.rope");
    assertThatThrownBy(
            () -> OriginalCheckpointMapping.map("controlnet.0.mystery.weight", new Shape(4)))
        .isInstanceOf(WeightException.class);
    assertThatThrownBy(
            () -> OriginalCheckpointMapping.map("base_model.t_block.1.scale", new Shape(4)))
        .isInstanceOf(WeightException.class);
    assertThatThrownBy(
            () -> OriginalCheckpointMapping.map("blocks.0.attn.qkv.weight", new Shape(10, 4)))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("cannot be split in 3");
  }

  /** The original tensor a concat_dim0 (or identity) entry was made from. */
  private static Shape concatDim0(SafetensorsFile file, List<String> keys) {
    long[] dims = file.info(keys.get(0)).shape().getShape().clone();
    for (int i = 1; i < keys.size(); i++) {
      dims[0] += file.info(keys.get(i)).shape().get(0);
    }
    return new Shape(dims);
  }

  /** Shapes of the two dropped tensors, as listed in the fixtures README. */
  private static Shape droppedShape(String original) {
    return original.endsWith("pos_embed") ? new Shape(1, 4096, 48) : new Shape(120, 32);
  }
}
