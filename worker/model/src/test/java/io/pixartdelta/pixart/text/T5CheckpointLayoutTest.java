package io.pixartdelta.pixart.text;

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
import io.pixartdelta.pixart.weights.ShardedSafetensors;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint layouts other than the fixture's sharded one: a single {@code model.safetensors}, the
 * tied embedding under its other name, and strictness about missing or stray tensors.
 */
class T5CheckpointLayoutTest {
  private static final String FIRST_BLOCK_BIAS =
      "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";

  /** The fixture's tensors by name, as (shape, values). */
  private static final Map<String, Tensor> TENSORS = new LinkedHashMap<>();

  private record Tensor(Shape shape, float[] values) {}

  @TempDir Path dir;

  @BeforeAll
  static void readFixtureTensors() {
    try (ShardedSafetensors s =
            ShardedSafetensors.openIndex(
                Fixtures.path("model/text_encoder/model.safetensors.index.json"));
        NDManager m = NDManager.newBaseManager()) {
      for (String name : new java.util.TreeSet<>(s.names())) {
        NDArray a = s.load(name, m, DataType.FLOAT32);
        TENSORS.put(name, new Tensor(a.getShape(), a.toFloatArray()));
      }
    }
  }

  /** Writes {@code tensors} as {@code dir/model.safetensors} (F32) next to the fixture config. */
  private void writeCheckpoint(Map<String, Tensor> tensors) throws IOException {
    Files.copy(Fixtures.path("model/text_encoder/config.json"), dir.resolve("config.json"));
    StringJoiner header = new StringJoiner(",", "{", "}");
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      long bytes = 4L * e.getValue().values().length;
      StringJoiner shape = new StringJoiner(",", "[", "]");
      for (long d : e.getValue().shape().getShape()) {
        shape.add(Long.toString(d));
      }
      header.add(
          "\""
              + e.getKey()
              + "\":{\"dtype\":\"F32\",\"shape\":"
              + shape
              + ",\"data_offsets\":["
              + offset
              + ","
              + (offset + bytes)
              + "]}");
      offset += bytes;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + json.length + (int) offset);
    buf.order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json);
    for (Tensor t : tensors.values()) {
      for (float v : t.values()) {
        buf.putFloat(v);
      }
    }
    Files.write(dir.resolve("model.safetensors"), buf.array());
  }

  private T5Encoder load() {
    return T5Encoder.load(dir, Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE);
  }

  private static void assertReferenceOutput(T5Encoder encoder) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray out =
          encoder.encode(
              Fixtures.array(m, "components/t5/input_ids.npy"),
              Fixtures.array(m, "components/t5/attention_mask.npy"));
      double[] tol =
          TextFixtures.tolerance(
              TextFixtures.fixtureCase("components/t5"), "outputs", "last_hidden_state");
      Parity.assertAllClose(
          out, Fixtures.array(m, "components/t5/last_hidden_state.npy"), tol[0], tol[1]);
    }
  }

  @Test
  void singleFileWithTheEmbeddingStoredAsEmbedTokens() throws IOException {
    Map<String, Tensor> renamed = new LinkedHashMap<>(TENSORS);
    renamed.put("encoder.embed_tokens.weight", renamed.remove("shared.weight"));
    writeCheckpoint(renamed);
    try (T5Encoder encoder = load()) {
      assertReferenceOutput(encoder);
    }
  }

  @Test
  void bothEmbeddingNamesPresentIsAccepted() throws IOException {
    Map<String, Tensor> both = new LinkedHashMap<>(TENSORS);
    both.put("encoder.embed_tokens.weight", both.get("shared.weight"));
    writeCheckpoint(both);
    try (T5Encoder encoder = load()) {
      assertThat(encoder.weights().all()).doesNotContainKey("encoder.embed_tokens.weight");
      assertReferenceOutput(encoder);
    }
  }

  @Test
  void aRelativeBiasTableOutsideBlockZeroIsUnexpected() throws IOException {
    Map<String, Tensor> extra = new LinkedHashMap<>(TENSORS);
    extra.put(FIRST_BLOCK_BIAS.replace("block.0", "block.1"), extra.get(FIRST_BLOCK_BIAS));
    writeCheckpoint(extra);
    assertThatThrownBy(this::load)
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("unexpected")
        .hasMessageContaining("encoder.block.1.layer.0.SelfAttention.relative_attention_bias");
  }

  @Test
  void missingAndMisShapedTensorsAreReportedTogether() throws IOException {
    Map<String, Tensor> broken = new LinkedHashMap<>(TENSORS);
    broken.remove("encoder.final_layer_norm.weight");
    Tensor q = broken.get("encoder.block.1.layer.0.SelfAttention.q.weight");
    broken.put(
        "encoder.block.1.layer.0.SelfAttention.q.weight",
        new Tensor(new Shape(16, 64), q.values()));
    writeCheckpoint(broken);
    assertThatThrownBy(this::load)
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("missing (1): encoder.final_layer_norm.weight")
        .hasMessageContaining("encoder.block.1.layer.0.SelfAttention.q.weight has shape (16, 64)");
  }

  @Test
  void aFolderWithoutWeightsIsAWeightException() throws IOException {
    Files.copy(Fixtures.path("model/text_encoder/config.json"), dir.resolve("config.json"));
    assertThatThrownBy(this::load)
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("model.safetensors.index.json");
  }
}
