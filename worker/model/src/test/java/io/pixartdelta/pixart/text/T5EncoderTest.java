package io.pixartdelta.pixart.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.HalfPrecisionBound;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.TestDevice;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class T5EncoderTest {
  private static final String CASE = "components/t5";
  private static T5Encoder encoder;
  private static JsonNode fixtureCase;

  @BeforeAll
  static void load() {
    encoder =
        T5Encoder.load(
            Fixtures.path("model/text_encoder"),
            TestDevice.device(),
            TestDevice.dtype(),
            NdArrayKernels.INSTANCE);
    fixtureCase = TextFixtures.fixtureCase(CASE);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  private static void assertMatches(NDArray actual, NDManager m, String group, String name) {
    String file = fixtureCase.get(group).get(name).get("file").asText();
    double[] tol = TextFixtures.tolerance(fixtureCase, group, name);
    Parity.assertFixture(
        actual, Fixtures.array(m, file), tol[0], tol[1], HalfPrecisionBound.T5, CASE + " " + name);
  }

  @Test
  @Tag("parity")
  void lastHiddenStateAndEveryIntermediateMatchTheReference() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray ids = Fixtures.array(m, CASE + "/input_ids.npy");
      NDArray mask = Fixtures.array(m, CASE + "/attention_mask.npy");
      Map<String, float[]> seen = new HashMap<>();
      Map<String, Shape> shapes = new HashMap<>();
      NDArray out =
          encoder.encode(
              ids,
              mask,
              (name, value) -> {
                seen.put(name, value.toType(DataType.FLOAT32, false).toFloatArray());
                shapes.put(name, value.getShape());
              });
      assertThat(out.getShape()).isEqualTo(new Shape(3, 120, 32));
      assertThat(out.getDataType()).isEqualTo(TestDevice.dtype());
      assertMatches(out, m, "outputs", "last_hidden_state");
      assertThat(seen.keySet())
          .containsExactlyInAnyOrder(
              "encoder.embed_tokens",
              "encoder.block.0",
              "encoder.block.1",
              "encoder.final_layer_norm");
      for (String name : seen.keySet()) {
        NDArray actual = m.create(seen.get(name), shapes.get(name));
        assertMatches(actual, m, "intermediates", name);
      }
    }
  }

  @Test
  @Tag("parity")
  void promptsToEmbeddingsEndToEnd() {
    // The three pipeline prompts: preprocessing + tokenizer must give the case's ids and mask,
    // and the encoder its output.
    List<String> prompts = new ArrayList<>();
    fixtureCase.get("prompts").forEach(p -> prompts.add(p.asText()));
    try (T5Tokenizer tokenizer = T5Tokenizer.load(Fixtures.path("model/tokenizer"));
        NDManager m = TestDevice.newManager()) {
      T5Tokenizer.Encoding enc = tokenizer.encode(CaptionPreprocessor.DEFAULT.apply(prompts));
      NDArray ids = enc.idsArray(m);
      NDArray mask = enc.maskArray(m);
      assertThat(ids.toLongArray())
          .containsExactly(Fixtures.array(m, CASE + "/input_ids.npy").toLongArray());
      assertThat(mask.toLongArray())
          .containsExactly(Fixtures.array(m, CASE + "/attention_mask.npy").toLongArray());
      assertMatches(encoder.encode(ids, mask), m, "outputs", "last_hidden_state");
    }
  }

  @Test
  @Tag("parity")
  void relativePositionBiasMatchesTheReferenceBucketsAndTable() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray bias = encoder.relativePositionBias(m, 120, 120);
      assertThat(bias.getShape()).isEqualTo(new Shape(1, 4, 120, 120));
      assertMatches(bias, m, "outputs", "relative_position_bias");
      // The gather must be exact: every value is a copy of a table entry (stored in the compute
      // type, so in fp16 a copy of the reference rounded to fp16).
      NDArray expected =
          TestDevice.compute(Fixtures.array(m, CASE + "/relative_position_bias.npy"))
              .toType(DataType.FLOAT32, false);
      assertThat(bias.toFloatArray()).containsExactly(expected.toFloatArray());
    }
  }

  @Test
  void aRowEncodedAloneEqualsTheSameRowInABatchOfThree() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray ids = Fixtures.array(m, CASE + "/input_ids.npy");
      NDArray mask = Fixtures.array(m, CASE + "/attention_mask.npy");
      NDArray batch = encoder.encode(ids, mask); // (3, 120, 32)
      for (int row = 0; row < 3; row++) {
        NDIndex pick = new NDIndex("{}:{}", row, row + 1);
        NDArray alone = encoder.encode(ids.get(pick), mask.get(pick)); // (1, 120, 32)
        Parity.assertAllClose(alone, batch.get(pick), 1e-5, 1e-5);
      }
    }
  }

  @Test
  void paddedKeysDoNotInfluenceRealPositions() {
    // Changing the ids under mask 0 must leave the unmasked outputs unchanged.
    try (NDManager m = TestDevice.newManager()) {
      NDArray ids = Fixtures.array(m, CASE + "/input_ids.npy").get("0:1");
      NDArray mask = Fixtures.array(m, CASE + "/attention_mask.npy").get("0:1");
      int real = (int) mask.sum().getLong();
      long[] altered = ids.toLongArray();
      for (int i = real; i < altered.length; i++) {
        altered[i] = 7;
      }
      NDArray a = encoder.encode(ids, mask).get(":, 0:{}, :", real);
      NDArray b = encoder.encode(m.create(altered, ids.getShape()), mask).get(":, 0:{}, :", real);
      Parity.assertAllClose(a, b, 1e-6, 1e-6);
    }
  }

  @Test
  void twentyEncodesLeakNothing() {
    NDManager weightsManager = encoder.weights().manager();
    int weightCount = weightsManager.getManagedArrays().size();
    try (NDManager caller = TestDevice.newManager()) {
      NDArray ids = Fixtures.array(caller, CASE + "/input_ids.npy");
      NDArray mask = Fixtures.array(caller, CASE + "/attention_mask.npy");
      encoder.encode(ids, mask).close(); // warm-up (caches)
      int before = caller.getManagedArrays().size();
      for (int i = 0; i < 20; i++) {
        NDArray out = encoder.encode(ids, mask);
        assertThat(out.getManager()).isSameAs(caller);
        assertThat(caller.getManagedArrays().size()).isEqualTo(before + 1);
        out.close();
      }
      assertThat(caller.getManagedArrays().size()).isEqualTo(before);
      assertThat(ids.getManager()).isSameAs(caller);
      assertThat(mask.getManager()).isSameAs(caller);
      assertThat(ids.isReleased()).isFalse();
    }
    assertThat(weightsManager.getManagedArrays().size()).isEqualTo(weightCount);
    // The weights manager is capped: anything attached to it by mistake would have thrown.
    try (NDManager probe = TestDevice.newManager()) {
      NDArray stray = probe.zeros(new Shape(1));
      assertThatThrownBy(() -> stray.attach(weightsManager))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void halfPrecisionPlanRunsAndStaysCloseToTheFp32Reference() {
    // The GPU precision plan (16-bit projections, fp32 norms / wo / residual) exercised on the CPU.
    try (T5Encoder half =
            T5Encoder.load(
                Fixtures.path("model/text_encoder"),
                Device.cpu(),
                DataType.FLOAT16,
                NdArrayKernels.INSTANCE);
        NDManager m = NDManager.newBaseManager(Device.cpu())) {
      assertThat(half.weights().get("shared.weight").getDataType()).isEqualTo(DataType.FLOAT16);
      assertThat(
              half.weights().get("encoder.block.1.layer.1.DenseReluDense.wo.weight").getDataType())
          .isEqualTo(DataType.FLOAT32);
      assertThat(half.weights().get("encoder.final_layer_norm.weight").getDataType())
          .isEqualTo(DataType.FLOAT32);
      NDArray out =
          half.encode(
              Fixtures.array(m, CASE + "/input_ids.npy"),
              Fixtures.array(m, CASE + "/attention_mask.npy"));
      assertThat(out.getDataType()).isEqualTo(DataType.FLOAT16);
      float[] expected = Fixtures.array(m, CASE + "/last_hidden_state.npy").toFloatArray();
      float[] actual = out.toType(DataType.FLOAT32, false).toFloatArray();
      assertThat(Parity.relativeL2(actual, expected)).isLessThan(5e-3);
    }
  }

  @Test
  void mostNegativeBiasIsTheComputeTypesFiniteMinimum() {
    assertThat(T5Encoder.mostNegative(DataType.FLOAT32)).isEqualTo(-Float.MAX_VALUE);
    assertThat(T5Encoder.mostNegative(DataType.FLOAT16)).isEqualTo(-65504f);
    assertThat(T5Encoder.mostNegative(DataType.BFLOAT16)).isEqualTo(-3.3895314e38f);
  }

  @Test
  void badInputsAreRejected() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray ids = m.zeros(new Shape(1, 120), DataType.INT64);
      assertThatThrownBy(() -> encoder.encode(ids, m.ones(new Shape(1, 119))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(B, L)");
      assertThatThrownBy(
              () -> encoder.encode(ids.toType(DataType.FLOAT32, false), m.ones(new Shape(1, 120))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("integers");
      NDArray outOfRange = m.full(new Shape(1, 120), 1152f, DataType.INT64);
      assertThatThrownBy(() -> encoder.encode(outOfRange, m.ones(new Shape(1, 120))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[0, 1152)");
    }
    assertThatThrownBy(
            () ->
                T5Encoder.load(
                    Path.of("unused"), Device.cpu(), DataType.INT8, NdArrayKernels.INSTANCE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
