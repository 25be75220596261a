package io.pixartdelta.pixart.nn.torchscript;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Parity of the TorchScript kernels with the op-by-op reference on random inputs. */
class TorchScriptKernelsTest {
  /** fp32: both backends differ only by float rounding order. */
  private static final double RTOL = 1e-5;

  private static TorchScriptKernels fused;
  private static final Kernels plain = NdArrayKernels.INSTANCE;
  private NDManager manager;

  @BeforeAll
  static void load() {
    fused = TorchScriptKernels.load(Device.cpu());
  }

  @AfterAll
  static void unload() {
    fused.close();
  }

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
    manager.getEngine().setRandomSeed(1234);
  }

  @AfterEach
  void closeManager() {
    manager.close();
  }

  /** B, H, Nq, Nk, d, bias shape (null: no bias), scale (NaN: 1/√d). */
  static Stream<Arguments> attentionCases() {
    return Stream.of(
        Arguments.of(2, 3, 5, 5, 8, null, Float.NaN),
        Arguments.of(2, 3, 7, 4, 8, null, 0.37f), // non-square, custom scale
        Arguments.of(2, 3, 7, 11, 16, new long[] {2, 1, 1, 11}, Float.NaN), // key padding mask
        Arguments.of(2, 4, 6, 6, 8, new long[] {1, 4, 6, 6}, 1f), // T5: per-head bias, scale 1
        Arguments.of(1, 2, 9, 3, 24, new long[] {1, 2, 9, 3}, 0.5f),
        Arguments.of(2, 2, 64, 120, 24, new long[] {2, 1, 1, 120}, Float.NaN), // tiny PixArt
        Arguments.of(1, 16, 32, 32, 72, new long[] {1, 1, 32, 32}, Float.NaN)); // XL head width
  }

  @ParameterizedTest
  @MethodSource("attentionCases")
  void attentionMatchesTheComposedReference(
      int b, int h, int nq, int nk, int d, long[] biasShape, float scaleOrNaN) {
    NDArray q = manager.randomNormal(new Shape(b, h, nq, d));
    NDArray k = manager.randomNormal(new Shape(b, h, nk, d));
    NDArray v = manager.randomNormal(new Shape(b, h, nk, d));
    NDArray bias = null;
    if (biasShape != null) {
      // a realistic mix: soft biases plus a few hard -10000 masks
      bias = manager.randomNormal(new Shape(biasShape));
      bias = bias.add(bias.gt(1.2f).toType(DataType.FLOAT32, false).mul(-10000f));
    }
    float scale = Float.isNaN(scaleOrNaN) ? (float) (1 / Math.sqrt(d)) : scaleOrNaN;

    NDArray actual = fused.attention(q, k, v, bias, scale);
    NDArray expected = plain.attention(q, k, v, bias, scale);

    assertThat(actual.getDataType()).isEqualTo(DataType.FLOAT32);
    assertClose(actual, expected);
  }

  @Test
  void layerNormMatches() {
    for (Shape shape : new Shape[] {new Shape(2, 64, 48), new Shape(3, 1152), new Shape(1, 5, 7)}) {
      NDArray x = manager.randomNormal(shape).mul(3f).add(1f);
      assertClose(fused.layerNorm(x, 1e-6f), plain.layerNorm(x, 1e-6f));
    }
  }

  @Test
  void groupNormMatchesWithAffineParameters() {
    int[][] cases = {{2, 64, 8, 8, 32}, {1, 32, 5, 7, 4}, {2, 6, 3, 3, 6}, {1, 8, 4, 4, 1}};
    for (int[] c : cases) {
      NDArray x = manager.randomNormal(new Shape(c[0], c[1], c[2], c[3])).mul(2f).sub(0.5f);
      NDArray gamma = manager.randomNormal(new Shape(c[1]));
      NDArray beta = manager.randomNormal(new Shape(c[1]));
      assertClose(
          fused.groupNorm(x, c[4], gamma, beta, 1e-6f),
          plain.groupNorm(x, c[4], gamma, beta, 1e-6f));
    }
  }

  @Test
  void rmsNormMatches() {
    NDArray x = manager.randomNormal(new Shape(2, 11, 64)).mul(4f);
    NDArray weight = manager.randomNormal(new Shape(64));
    assertClose(fused.rmsNorm(x, weight, 1e-6f), plain.rmsNorm(x, weight, 1e-6f));
  }

  @Test
  void geluTanhMatches() {
    NDArray x = manager.randomNormal(new Shape(2, 64, 96)).mul(4f);
    assertClose(fused.geluTanh(x), plain.geluTanh(x));
  }

  @Test
  void halfInputsGiveHalfOutputsCloseToTheFp32Reference() {
    NDArray q = manager.randomNormal(new Shape(2, 2, 16, 24));
    NDArray bias = manager.zeros(new Shape(2, 1, 1, 16));
    NDArray x = manager.randomNormal(new Shape(2, 16, 48));
    NDArray img = manager.randomNormal(new Shape(1, 8, 4, 4));
    NDArray gamma = manager.randomNormal(new Shape(8));
    NDArray beta = manager.randomNormal(new Shape(8));
    NDArray w = manager.randomNormal(new Shape(48));
    float s = 0.2f;

    checkHalf(
        fused.attention(half(q), half(q), half(q), bias, s), plain.attention(q, q, q, bias, s));
    checkHalf(fused.layerNorm(half(x), 1e-6f), plain.layerNorm(x, 1e-6f));
    checkHalf(
        fused.groupNorm(half(img), 4, gamma, beta, 1e-6f),
        plain.groupNorm(img, 4, gamma, beta, 1e-6f));
    checkHalf(fused.rmsNorm(half(x), half(w), 1e-6f), plain.rmsNorm(x, w, 1e-6f));
    checkHalf(fused.geluTanh(half(x)), plain.geluTanh(x));
  }

  @Test
  void weightsFromACappedManagerAndManyCallsLeaveNoArraysBehind() {
    NDArray gamma;
    NDArray beta;
    try (NDManager weights = NDManager.newBaseManager()) {
      gamma = weights.randomNormal(new Shape(32));
      beta = weights.randomNormal(new Shape(32));
      NDArray rms = weights.randomNormal(new Shape(48));
      weights.cap();
      NDArray x = manager.randomNormal(new Shape(1, 32, 4, 4));
      NDArray t = manager.randomNormal(new Shape(2, 2, 8, 24));
      NDArray bias = manager.zeros(new Shape(2, 1, 1, 8));
      NDArray h = manager.randomNormal(new Shape(2, 8, 48));
      int before = manager.getManagedArrays().size();
      int weightCount = weights.getManagedArrays().size();

      for (int i = 0; i < 500; i++) {
        // the forward-pass idiom: inputs join the scope temporarily, results die with it
        try (NDManager scope = manager.newSubManager()) {
          scope.tempAttachAll(x, t, bias, h);
          fused.attention(t, t, t, bias, 0.3f);
          fused.groupNorm(x, 8, gamma, beta, 1e-6f);
          fused.rmsNorm(h, rms, 1e-6f);
          fused.layerNorm(h, 1e-6f);
          fused.geluTanh(h);
          assertThat(scope.getManagedArrays()).hasSize(4 + 5); // borrowed inputs + results
        }
      }

      assertThat(manager.getManagedArrays()).hasSize(before);
      assertThat(weights.getManagedArrays()).hasSize(weightCount);
    }
  }

  private static NDArray half(NDArray a) {
    return a.toType(DataType.FLOAT16, false);
  }

  /** Half precision: ~3 decimal digits, relative to the tensor's scale. */
  private static void checkHalf(NDArray actual, NDArray expected) {
    assertThat(actual.getDataType()).isEqualTo(DataType.FLOAT16);
    float scale = expected.abs().max().getFloat();
    Parity.assertAllClose(actual, expected, 4e-3 * Math.max(1, scale), 4e-3);
  }

  /** Manifest convention: atol scaled by max(1, max|expected|), rtol as written. */
  private static void assertClose(NDArray actual, NDArray expected) {
    float scale = expected.abs().max().getFloat();
    Parity.assertAllClose(actual, expected, RTOL * Math.max(1, scale), RTOL);
    double rel =
        Parity.relativeL2(
            actual.toFloatArray(), expected.toType(DataType.FLOAT32, false).toFloatArray());
    assertThat(rel).as("relative L2").isLessThan(RTOL);
  }
}
