package io.pixartdelta.pixart.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Parity;
import org.junit.jupiter.api.Test;

class NdArrayKernelsTest {

  @Test
  void groupNormMatchesAHandComputationWithWeightsInACappedManager() {
    try (NDManager weights = NDManager.newBaseManager();
        NDManager m = NDManager.newBaseManager()) {
      NDArray gamma = weights.create(new float[] {1f, 2f, 0.5f, -1f});
      NDArray beta = weights.create(new float[] {0f, 1f, -1f, 0.25f});
      weights.cap();
      float[] xs = new float[2 * 4 * 3];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = (float) Math.sin(i * 0.7) * 3;
      }
      NDArray x = m.create(xs, new Shape(2, 4, 1, 3)); // (B, C, H, W), 2 groups of 2 channels
      float[] out = NdArrayKernels.INSTANCE.groupNorm(x, 2, gamma, beta, 1e-6f).toFloatArray();
      float[] expected = new float[xs.length];
      float[] g = {1f, 2f, 0.5f, -1f};
      float[] bt = {0f, 1f, -1f, 0.25f};
      for (int b = 0; b < 2; b++) {
        for (int grp = 0; grp < 2; grp++) {
          int start = b * 12 + grp * 6;
          double mean = 0;
          for (int i = 0; i < 6; i++) {
            mean += xs[start + i];
          }
          mean /= 6;
          double var = 0;
          for (int i = 0; i < 6; i++) {
            var += (xs[start + i] - mean) * (xs[start + i] - mean);
          }
          var /= 6;
          for (int i = 0; i < 6; i++) {
            int c = grp * 2 + i / 3;
            expected[start + i] =
                (float) ((xs[start + i] - mean) / Math.sqrt(var + 1e-6) * g[c] + bt[c]);
          }
        }
      }
      Parity.assertAllClose(out, expected, 1e-5, 1e-5);
    }
  }

  @Test
  void rmsNormScalesByTheWeightWithoutAllocatingInTheWeightsManager() {
    try (NDManager weights = NDManager.newBaseManager();
        NDManager m = NDManager.newBaseManager()) {
      NDArray w = weights.create(new float[] {2f, 0.5f});
      weights.cap();
      NDArray x = m.create(new float[] {3f, 4f}, new Shape(1, 2));
      float[] out = NdArrayKernels.INSTANCE.rmsNorm(x, w, 0f).toFloatArray();
      double rms = Math.sqrt((9 + 16) / 2.0);
      assertThat(out[0])
          .isCloseTo((float) (3 / rms * 2), org.assertj.core.data.Offset.offset(1e-6f));
      assertThat(out[1])
          .isCloseTo((float) (4 / rms * 0.5), org.assertj.core.data.Offset.offset(1e-6f));
    }
  }
}
