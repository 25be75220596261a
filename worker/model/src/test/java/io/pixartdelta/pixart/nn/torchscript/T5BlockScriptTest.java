package io.pixartdelta.pixart.nn.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.weights.ShardedSafetensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The T5 block method alone, on the reference encoder's recorded block inputs and outputs. */
class T5BlockScriptTest {
  private static final String CASE = "components/t5/";

  /** Tiny T5 config (fixtures/model/text_encoder/config.json): 4 heads, eps 1e-6. */
  private static final int HEADS = 4;

  private static final float EPS = 1e-6f;

  private static T5BlockScript block;

  @BeforeAll
  static void load() {
    block = T5BlockScript.load(Device.cpu());
  }

  @AfterAll
  static void unload() {
    block.close();
  }

  /**
   * Block l on its recorded input (block 0: the embedding; block 1: block 0's output) with the bias
   * = the recorded relative-position bias + (1 − mask)·finfo(fp32).min gives the recorded output.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void reproducesTheReferenceBlocks(int layer) {
    try (NDManager m = NDManager.newBaseManager();
        ShardedSafetensors file =
            ShardedSafetensors.openIndex(
                Fixtures.tinyModel().resolve("text_encoder/model.safetensors.index.json"))) {
      List<NDArray> params = new ArrayList<>();
      for (String name : T5BlockScript.PARAMETERS) {
        params.add(file.load("encoder.block." + layer + "." + name, m, DataType.FLOAT32));
      }
      String in = layer == 0 ? "encoder.embed_tokens" : "encoder.block." + (layer - 1);
      NDArray h = Fixtures.array(m, CASE + "intermediates/" + in + ".npy"); // (3, 120, 32)
      NDArray position = Fixtures.array(m, CASE + "relative_position_bias.npy"); // (1, 4, L, L)
      NDArray mask = Fixtures.array(m, CASE + "attention_mask.npy"); // (3, 120)
      NDArray padding =
          mask.toType(DataType.FLOAT32, false)
              .neg()
              .add(1f)
              .mul(-Float.MAX_VALUE)
              .reshape(3, 1, 1, 120); // (3, 1, 1, L)
      NDArray bias = padding.add(position); // (3, 4, L, L)

      NDArray out = block.forward(h, bias, HEADS, EPS, params);

      NDArray expected = Fixtures.array(m, CASE + "intermediates/encoder.block." + layer + ".npy");
      assertThat(out.getManager()).isSameAs(m);
      assertThat(Parity.relativeL2(out.toFloatArray(), expected.toFloatArray())).isLessThan(1e-5);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 12})
  void rejectsAWrongParameterCount(int count) {
    try (NDManager m = NDManager.newBaseManager()) {
      List<NDArray> params = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        params.add(m.zeros(new ai.djl.ndarray.types.Shape(1)));
      }
      NDArray h = m.zeros(new ai.djl.ndarray.types.Shape(1, 1, 4));
      assertThatThrownBy(() -> block.forward(h, h, HEADS, EPS, params))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 9");
    }
  }
}
