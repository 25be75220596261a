package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class VaeOpsTest {

  @Test
  void nearestUpsampleCopiesEachPixelIntoA2x2Block() {
    try (NDManager m = NDManager.newBaseManager()) {
      int b = 2;
      int c = 3;
      int h = 4;
      int w = 5;
      NDArray x = m.arange(b * c * h * w).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
      float[] in = x.toFloatArray();
      NDArray up = VaeOps.upsampleNearest2x(x.reshape(b, c, h, w));
      assertThat(up.getShape()).isEqualTo(new Shape(b, c, 2L * h, 2L * w));
      float[] out = up.toFloatArray();
      for (int n = 0; n < b * c; n++) {
        for (int i = 0; i < 2 * h; i++) {
          for (int j = 0; j < 2 * w; j++) {
            float expected = in[(n * h + i / 2) * w + j / 2];
            assertThat(out[(n * 2 * h + i) * 2 * w + j]).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void padAddsOneZeroColumnRightAndOneZeroRowBottom() {
    try (NDManager m = NDManager.newBaseManager()) {
      int h = 3;
      int w = 4;
      NDArray x = m.arange(1f, 1f + h * w, 1f).reshape(1, 1, h, w);
      NDArray p = VaeOps.padRightBottom(x);
      assertThat(p.getShape()).isEqualTo(new Shape(1, 1, h + 1, w + 1));
      float[] out = p.toFloatArray();
      for (int i = 0; i <= h; i++) {
        for (int j = 0; j <= w; j++) {
          float expected = i < h && j < w ? 1 + i * w + j : 0;
          assertThat(out[i * (w + 1) + j]).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void siluIsXTimesSigmoidX() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] xs = {-20f, -1f, 0f, 0.5f, 3f};
      float[] out = VaeOps.silu(m.create(xs)).toFloatArray();
      for (int i = 0; i < xs.length; i++) {
        double expected = xs[i] / (1 + Math.exp(-xs[i]));
        assertThat((double) out[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
      }
    }
  }

  @Test
  void splitPointsCutIntoChunksWithAShorterLastOne() {
    assertThat(VaeOps.splitPoints(10, 4)).containsExactly(4, 8);
    assertThat(VaeOps.splitPoints(8, 4)).containsExactly(4);
    assertThat(VaeOps.splitPoints(4, 4)).isEmpty();
    assertThat(VaeOps.splitPoints(3, 1024)).isEmpty();
    assertThat(VaeOps.splitPoints(16384, 1024)).hasSize(15);
  }
}
