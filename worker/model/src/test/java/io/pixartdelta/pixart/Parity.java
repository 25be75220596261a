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
    assertAllClose(hostCopy(actual), hostCopy(expected), atol, rtol);
  }

  /** A float32 host copy of an array of any float type on any device. */
  public static float[] hostCopy(NDArray a) {
    return a.toType(DataType.FLOAT32, false).toFloatArray();
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

  /**
   * A model output against its fixture on the test dtype ({@link TestDevice}): in fp32 within the
   * fixture's allclose tolerance, in fp16 within {@code bound}. Outside the CI configuration each
   * comparison also prints one {@code parity} line with its errors, for the results table.
   */
  public static void assertFixture(
      NDArray actual,
      NDArray expected,
      double atol,
      double rtol,
      HalfPrecisionBound bound,
      String label) {
    assertThat(actual.getShape()).as(label + " shape").isEqualTo(expected.getShape());
    assertFixture(hostCopy(actual), hostCopy(expected), atol, rtol, bound, label);
  }

  /** Same on host copies. */
  public static void assertFixture(
      float[] a, float[] e, double atol, double rtol, HalfPrecisionBound bound, String label) {
    assertThat(a.length).as(label + " length").isEqualTo(e.length);
    double rel = relativeL2(a, e);
    double max = maxError(a, e);
    if (!TestDevice.isDefault()) {
      System.out.printf(
          "parity %s %s: relL2 %.2e, maxErr %.2e%n", TestDevice.describe(), label, rel, max);
    }
    if (!TestDevice.half()) {
      try {
        assertAllClose(a, e, atol, rtol);
      } catch (AssertionError err) {
        throw new AssertionError(label + ": " + err.getMessage(), err);
      }
    } else if (!(rel <= bound.relativeL2()) || !(max <= bound.maxError())) {
      throw new AssertionError(
          String.format(
              "%s in fp16: relL2 %.3e (bound %.1e), maxErr %.3e (bound %.1e, %s)",
              label, rel, bound.relativeL2(), max, bound.maxError(), bound));
    }
  }

  /** max |a − e| / max(1, max |e|): the worst element on the manifest's atol scale. */
  public static double maxError(float[] a, float[] e) {
    double worst = 0;
    double scale = 1;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - e[i]);
      worst = Double.isNaN(d) ? Double.NaN : Math.max(worst, d);
      scale = Math.max(scale, Math.abs(e[i]));
    }
    return worst / scale;
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
