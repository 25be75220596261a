package io.pixartdelta.pixart;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Tolerance checks in the fixtures' convention: |actual − expected| ≤ atol + rtol·|expected|. */
public final class Parity {
  private Parity() {}

  /** Asserts element-wise closeness; {@code atol} is used as written in the manifest. */
  public static void assertAllClose(NDArray actual, NDArray expected, double atol, double rtol) {
    assertThat(actual.getShape()).as("shape").isEqualTo(expected.getShape());
    float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
    float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
    assertAllClose(a, e, atol, rtol);
  }

  /** Same on plain arrays. */
  public static void assertAllClose(float[] a, float[] e, double atol, double rtol) {
    assertThat(a.length).as("length").isEqualTo(e.length);
    int worst = -1;
    double worstExcess = 0;
    int bad = 0;
    for (int i = 0; i < a.length; i++) {
      double diff = Math.abs((double) a[i] - e[i]);
      double allowed = atol + rtol * Math.abs(e[i]);
      if (!(diff <= allowed)) {
        bad++;
        if (worst < 0 || diff - allowed > worstExcess || Double.isNaN(diff)) {
          worst = i;
          worstExcess = diff - allowed;
        }
      }
    }
    if (bad > 0) {
      throw new AssertionError(
          bad
              + " of "
              + a.length
              + " elements outside atol="
              + atol
              + " rtol="
              + rtol
              + "; worst at "
              + worst
              + ": actual "
              + a[worst]
              + " expected "
              + e[worst]);
    }
  }

  /** Relative L2 error ‖a − e‖ / ‖e‖. */
  public static double relativeL2(float[] a, float[] e) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - e[i];
      num += d * d;
      den += (double) e[i] * e[i];
    }
    return Math.sqrt(num / Math.max(den, 1e-30));
  }
}
