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
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The int8 weight storage of the T5 encoder on the fixture model and the fixture's T5 inputs, op by
 * op and through the one-call TorchScript block.
 *
 * <p>Quality bound. Per-row symmetric int8 errs by at most scale/2 = max|w_row|/254 per element,
 * uniformly: an RMS of max|w_row|/(254·√3). For the fixture's Gaussian rows (32–64 entries, max ≈
 * 2.5σ) that is ≈ 0.6 % of the weights' RMS per matrix; 15 independently rounded matrices (the
 * embedding and 7 linears × 2 blocks) add in quadrature to ≈ 2.2 %, which the final RMS norm does
 * not amplify. The bound 4 % leaves headroom for the gated product, where the two branches' errors
 * combine.
 */
class T5EncoderInt8Test {
  private static final String CASE = "components/t5";
  private static final double QUALITY_BOUND = 4e-2;

  private static T5Encoder full;
  private static T5Encoder int8;

  @BeforeAll
  static void load() {
    full = load(DataType.FLOAT32, NdArrayKernels.INSTANCE, T5WeightStorage.FULL);
    int8 = load(DataType.FLOAT32, NdArrayKernels.INSTANCE, T5WeightStorage.INT8);
  }

  @AfterAll
  static void close() {
    full.close();
    int8.close();
  }

  private static T5Encoder load(DataType dtype, Kernels kernels, T5WeightStorage storage) {
    return T5Encoder.load(
        Fixtures.path("model/text_encoder"), Device.cpu(), dtype, kernels, storage);
  }

  private static float[] encode(T5Encoder encoder, NDManager m) {
    NDArray out =
        encoder.encode(
            Fixtures.array(m, CASE + "/input_ids.npy"),
            Fixtures.array(m, CASE + "/attention_mask.npy"));
    assertThat(out.getShape()).isEqualTo(new Shape(3, 120, 32));
    return out.toType(DataType.FLOAT32, false).toFloatArray();
  }

  @Test
  void storesLinearsAndEmbeddingAsInt8WithPerRowScalesInThePrecisionPlanTypes() {
    try (T5Encoder half = load(DataType.FLOAT16, NdArrayKernels.INSTANCE, T5WeightStorage.INT8)) {
      String p = "encoder.block.1.";
      assertThat(half.storage()).isEqualTo(T5WeightStorage.INT8);
      assertThat(half.weights().get("shared.weight").getDataType()).isEqualTo(DataType.INT8);
      assertThat(half.weights().get("shared.weight_scale").getShape())
          .isEqualTo(new Shape(1152, 1));
      assertThat(half.weights().get(p + "layer.0.SelfAttention.q.weight").getDataType())
          .isEqualTo(DataType.INT8);
      assertThat(half.weights().get(p + "layer.0.SelfAttention.q.weight_scale").getDataType())
          .isEqualTo(DataType.FLOAT16);
      assertThat(half.weights().get(p + "layer.1.DenseReluDense.wo.weight").getDataType())
          .isEqualTo(DataType.INT8);
      assertThat(half.weights().get(p + "layer.1.DenseReluDense.wo.weight_scale").getDataType())
          .isEqualTo(DataType.FLOAT32);
      assertThat(half.weights().get(p + "layer.1.layer_norm.weight").getDataType())
          .isEqualTo(DataType.FLOAT32);
      assertThat(
              half.weights()
                  .get("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight")
                  .getDataType())
          .isEqualTo(DataType.FLOAT16);
    }
  }

  @Test
  void int8TakesAboutAQuarterOfTheFp32Bytes() {
    double ratio = (double) int8.deviceBytes() / full.deviceBytes();
    System.out.printf(
        "T5 tiny device bytes: fp32 %d, int8 %d (%.3f)%n",
        full.deviceBytes(), int8.deviceBytes(), ratio);
    // 32-wide rows pay 4 scale bytes per 32 int8 bytes: (32 + 4) / 128 ≈ 0.28, plus fp32 norms.
    assertThat(ratio).isLessThan(0.30);
    assertThat(int8.deviceBytes())
        .isEqualTo(T5Encoder.weightBytes(int8.config(), DataType.FLOAT32, T5WeightStorage.INT8));
    assertThat(full.deviceBytes())
        .isEqualTo(
            T5Encoder.weightSpec(full.config()).expected().values().stream()
                .mapToLong(s -> s.size() * 4)
                .sum());
  }

  @Test
  void int8StaysCloseToFp32OnTheFixtureInputs() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] reference = Fixtures.array(m, CASE + "/last_hidden_state.npy").toFloatArray();
      float[] fp32 = encode(full, m);
      float[] quantized = encode(int8, m);
      double vsReference = Parity.relativeL2(quantized, reference);
      double vsFp32 = Parity.relativeL2(quantized, fp32);
      System.out.printf(
          "T5 int8 vs fp32: relative L2 %.4g (vs reference %.4g)%n", vsFp32, vsReference);
      assertThat(vsFp32).isLessThan(QUALITY_BOUND).isGreaterThan(0);
      assertThat(vsReference).isLessThan(QUALITY_BOUND);
    }
  }

  @Test
  void int8LossAgainstFp16IsMeasuredWithTheHalfPrecisionPlan() {
    // The issue asks for the loss against fp16: both run the 16-bit precision plan on the CPU.
    try (T5Encoder half = load(DataType.FLOAT16, NdArrayKernels.INSTANCE, T5WeightStorage.FULL);
        T5Encoder halfInt8 = load(DataType.FLOAT16, NdArrayKernels.INSTANCE, T5WeightStorage.INT8);
        NDManager m = NDManager.newBaseManager()) {
      float[] reference = Fixtures.array(m, CASE + "/last_hidden_state.npy").toFloatArray();
      float[] fp16 = encode(half, m);
      float[] fp16Int8 = encode(halfInt8, m);
      double int8VsFp16 = Parity.relativeL2(fp16Int8, fp16);
      double fp16VsFp32 = Parity.relativeL2(fp16, reference);
      double int8Fp16VsFp32 = Parity.relativeL2(fp16Int8, reference);
      System.out.printf(
          "T5 int8(fp16) vs fp16: %.4g; fp16 vs fp32: %.4g; int8(fp16) vs fp32: %.4g%n",
          int8VsFp16, fp16VsFp32, int8Fp16VsFp32);
      assertThat(fp16VsFp32).isLessThan(5e-3);
      assertThat(int8VsFp16).isLessThan(QUALITY_BOUND);
      assertThat(int8Fp16VsFp32).isLessThan(QUALITY_BOUND);
    }
  }

  @Test
  void oneCallBlocksMatchTheReferenceAndTheOpByOpInt8Path() {
    try (TorchScriptKernels kernels = TorchScriptKernels.load(Device.cpu());
        T5Encoder fusedFull = load(DataType.FLOAT32, kernels, T5WeightStorage.FULL);
        T5Encoder fusedInt8 = load(DataType.FLOAT32, kernels, T5WeightStorage.INT8);
        NDManager m = NDManager.newBaseManager()) {
      NDArray reference = Fixtures.array(m, CASE + "/last_hidden_state.npy");
      double[] tol =
          TextFixtures.tolerance(TextFixtures.fixtureCase(CASE), "outputs", "last_hidden_state");
      float[] fused = encode(fusedFull, m);
      Parity.assertAllClose(fused, reference.toFloatArray(), tol[0], tol[1]);
      // Every block's residual output too, through the probe the op-by-op tests use.
      com.fasterxml.jackson.databind.JsonNode c = TextFixtures.fixtureCase(CASE);
      java.util.Map<String, float[]> seen = new java.util.HashMap<>();
      fusedFull
          .encode(
              Fixtures.array(m, CASE + "/input_ids.npy"),
              Fixtures.array(m, CASE + "/attention_mask.npy"),
              (name, value) -> seen.put(name, value.toFloatArray()))
          .close();
      assertThat(seen).containsKeys("encoder.block.0", "encoder.block.1");
      for (String name : seen.keySet()) {
        double[] t = TextFixtures.tolerance(c, "intermediates", name);
        String file = c.get("intermediates").get(name).get("file").asText();
        Parity.assertAllClose(seen.get(name), Fixtures.array(m, file).toFloatArray(), t[0], t[1]);
      }
      Parity.assertAllClose(encode(fusedInt8, m), encode(int8, m), 1e-5, 1e-5);
    }
  }

  @Test
  void oneCallBlocksRunTheHalfPrecisionPlanWithInt8Weights() {
    try (TorchScriptKernels kernels = TorchScriptKernels.load(Device.cpu());
        T5Encoder fused = load(DataType.FLOAT16, kernels, T5WeightStorage.INT8);
        T5Encoder opByOp = load(DataType.FLOAT16, NdArrayKernels.INSTANCE, T5WeightStorage.INT8);
        NDManager m = NDManager.newBaseManager()) {
      double diff = Parity.relativeL2(encode(fused, m), encode(opByOp, m));
      System.out.printf("T5 int8 fp16: one-call vs op-by-op relative L2 %.3g%n", diff);
      assertThat(diff).isLessThan(2e-3); // fp16 rounding of differently ordered kernels
    }
  }

  @Test
  void twentyInt8EncodesLeakNothing() {
    try (TorchScriptKernels kernels = TorchScriptKernels.load(Device.cpu());
        T5Encoder fused = load(DataType.FLOAT32, kernels, T5WeightStorage.INT8)) {
      for (T5Encoder encoder : new T5Encoder[] {int8, fused}) {
        NDManager weightsManager = encoder.weights().manager();
        int weightCount = weightsManager.getManagedArrays().size();
        try (NDManager caller = NDManager.newBaseManager()) {
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
          assertThat(ids.isReleased()).isFalse();
        }
        assertThat(weightsManager.getManagedArrays().size()).isEqualTo(weightCount);
        try (NDManager probe = NDManager.newBaseManager()) {
          NDArray stray = probe.zeros(new Shape(1));
          assertThatThrownBy(() -> stray.attach(weightsManager))
              .isInstanceOf(IllegalStateException.class);
        }
      }
    }
  }

  @Test
  void quantizesExactlyTheLinearsAndTheEmbedding() {
    assertThat(T5Encoder.isQuantized("shared.weight")).isTrue();
    assertThat(T5Encoder.isQuantized("encoder.block.3.layer.0.SelfAttention.o.weight")).isTrue();
    assertThat(T5Encoder.isQuantized("encoder.block.3.layer.1.DenseReluDense.wi_1.weight"))
        .isTrue();
    assertThat(
            T5Encoder.isQuantized(
                "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"))
        .isFalse();
    assertThat(T5Encoder.isQuantized("encoder.block.3.layer.1.layer_norm.weight")).isFalse();
    assertThat(T5Encoder.isQuantized("encoder.final_layer_norm.weight")).isFalse();
  }
}
