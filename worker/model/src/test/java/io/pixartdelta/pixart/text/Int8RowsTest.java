package io.pixartdelta.pixart.text;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Int8RowsTest {
  private static final int ROWS = 6;
  private static final int COLS = 257;

  /** Gaussian rows, plus an all-zero row, a row with one large outlier and a tiny-valued row. */
  private static float[] sampleRows() {
    Random random = new Random(20261127L);
    float[] w = new float[ROWS * COLS];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian() * 0.05f;
    }
    for (int c = 0; c < COLS; c++) {
      w[COLS + c] = 0f; // row 1: zeros
      w[4 * COLS + c] *= 1e-6f; // row 4: tiny magnitudes
    }
    w[2 * COLS + 17] = 40f; // row 2: one outlier dominates the scale
    w[3 * COLS + 5] = -3f; // row 3: negative outlier
    return w;
  }

  @Test
  void roundTripErrorIsAtMostHalfAScalePerElement() {
    float[] w = sampleRows();
    try (NDManager m = NDManager.newBaseManager()) {
      Int8Rows.Quantized q =
          Int8Rows.quantize(m.create(w, new Shape(ROWS, COLS)), DataType.FLOAT32);
      assertThat(q.values().getDataType()).isEqualTo(DataType.INT8);
      assertThat(q.values().getShape()).isEqualTo(new Shape(ROWS, COLS));
      assertThat(q.scales().getShape()).isEqualTo(new Shape(ROWS, 1));
      byte[] values = q.values().toByteArray();
      float[] scales = q.scales().toFloatArray();
      for (int r = 0; r < ROWS; r++) {
        // Independent scale: max |w| / 127 computed here, 1 for the zero row.
        double absMax = 0;
        for (int c = 0; c < COLS; c++) {
          absMax = Math.max(absMax, Math.abs(w[r * COLS + c]));
        }
        double expectedScale = absMax == 0 ? 1 : absMax / 127;
        assertThat((double) scales[r]).isCloseTo(expectedScale, within(expectedScale * 1e-6));
        for (int c = 0; c < COLS; c++) {
          int v = values[r * COLS + c];
          assertThat(v).isBetween(-127, 127);
          double error = Math.abs(v * (double) scales[r] - w[r * COLS + c]);
          // scale / 2 plus float rounding of the division
          assertThat(error).isLessThanOrEqualTo(scales[r] / 2 * (1 + 1e-5));
        }
      }
      for (int c = 0; c < COLS; c++) {
        assertThat(values[COLS + c]).isZero();
      }
      assertThat(values[2 * COLS + 17]).isEqualTo((byte) 127);
      assertThat(values[3 * COLS + 5]).isEqualTo((byte) -127);
    }
  }

  @Test
  void dequantizeGivesValuesTimesScalesInTheRequestedTypeAndScope() {
    float[] w = sampleRows();
    try (NDManager m = NDManager.newBaseManager();
        NDManager weights = NDManager.newBaseManager()) {
      Int8Rows.Quantized q =
          Int8Rows.quantize(weights.create(w, new Shape(ROWS, COLS)), DataType.FLOAT32);
      NDArray halfScales = q.scales().toType(DataType.FLOAT16, false);
      weights.cap(); // dequantize must not create anything in the weights' manager
      NDArray d = Int8Rows.dequantize(q.values(), q.scales(), DataType.FLOAT32, m);
      assertThat(d.getManager()).isSameAs(m);
      assertThat(d.getDataType()).isEqualTo(DataType.FLOAT32);
      byte[] values = q.values().toByteArray();
      float[] scales = q.scales().toFloatArray();
      float[] actual = d.toFloatArray();
      for (int i = 0; i < actual.length; i++) {
        assertThat(actual[i]).isEqualTo(values[i] * scales[i / COLS]);
      }
      NDArray half = Int8Rows.dequantize(q.values(), halfScales, DataType.FLOAT16, m);
      assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }
}
