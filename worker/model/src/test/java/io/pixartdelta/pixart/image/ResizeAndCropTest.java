package io.pixartdelta.pixart.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.random.TorchGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResizeAndCropTest {

  @Test
  void upsamplesTwoToFourAsAlignCornersFalse() {
    // in 2 → out 4, scale 0.5: sources −0.25→0 (clamped), 0.25, 0.75, 1.25 (border repeats).
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {0, 4, 8, 12}, new Shape(1, 1, 2, 2));
      float[] out = ResizeAndCrop.apply(x, 4, 4).toFloatArray();
      // Along a row (a = 0, b = 4): a, .75a + .25b, .25a + .75b, b = 0, 1, 3, 4. Rows 0 and 1
      // of x differ by 8 everywhere, so output row i adds 8·λ_i with λ = 0, .25, .75, 1.
      float[] row0 = {0, 1, 3, 4};
      float[] lambdas = {0, 0.25f, 0.75f, 1};
      float[] expected = new float[16];
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
          expected[i * 4 + j] = row0[j] + lambdas[i] * 8;
        }
      }
      Parity.assertAllClose(out, expected, 1e-6, 0);
    }
  }

  @Test
  void downsamplesFourToTwoByAveragingPairs() {
    // in 4 → out 2, scale 2: sources 0.5 and 2.5, i.e. the mean of each pair, no antialiasing.
    try (NDManager m = NDManager.newBaseManager()) {
      // ratio = max(1/1, 2/4) = 1: no resize, only the centre crop of columns [1, 3).
      NDArray x = m.create(new float[] {1, 3, 10, 30}, new Shape(1, 1, 1, 4));
      assertThat(ResizeAndCrop.apply(x, 1, 2).toFloatArray()).containsExactly(3, 10);

      NDArray square =
          m.create(
              new float[] {1, 3, 10, 30, 1, 3, 10, 30, 5, 7, 50, 70, 5, 7, 50, 70},
              new Shape(1, 1, 4, 4));
      float[] halved = ResizeAndCrop.apply(square, 2, 2).toFloatArray();
      assertThat(halved).containsExactly(2f, 20f, 6f, 60f);
    }
  }

  @Test
  void cropsTheCentreAfterScalingToCover() {
    // 4×8 bin → 4×4 request: ratio max(1, 0.5) = 1, width 8 → crop columns [2, 6).
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.arange(32f).reshape(1, 1, 4, 8);
      float[] out = ResizeAndCrop.apply(x, 4, 4).toFloatArray();
      assertThat(out).containsExactly(2, 3, 4, 5, 10, 11, 12, 13, 18, 19, 20, 21, 26, 27, 28, 29);
    }
  }

  @Test
  void keepsTheRequestedSizeWhereTruncationWouldLoseAPixel() {
    // Real bin case: 640×1600 → 88×232 has ratio 0.145 and 1600·0.145 = 231.99999999999997.
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.zeros(new Shape(1, 1, 640, 1600));
      assertThat(ResizeAndCrop.apply(x, 88, 232).getShape()).isEqualTo(new Shape(1, 1, 88, 232));
    }
  }

  @Test
  void returnsTheInputWhenTheSizeAlreadyMatches() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.zeros(new Shape(2, 3, 8, 8));
      assertThat(ResizeAndCrop.apply(x, 8, 8)).isSameAs(x);
    }
  }

  @ParameterizedTest(name = "{0}x{1} -> {2}x{3} / {4}")
  @CsvSource({
    // bin h, w -> request h, w; all sizes divided by the last column to keep CPU time small
    "768, 1344, 1080, 1920, 8", // bin 0.57 back to 1080p: cover 1097x1920, crop rows
    "1024, 1024, 1000, 1000, 8", // downscale, no crop
    "1344, 768, 1000, 560, 8",
    "512, 2048, 96, 600, 8", // strong downscale (no antialiasing)
    "2, 11, 1, 15, 1", // int(11·(15/11)) = 14 in diffusers (float truncation); we keep 15
    "24, 40, 31, 45, 1", // small upscale with odd sizes
    "7, 5, 3, 9, 1"
  })
  void matchesAStraightforwardPerPixelImplementation(int inH, int inW, int h, int w, int div) {
    int hh = inH / div;
    int ww = inW / div;
    int th = h / div;
    int tw = w / div;
    try (NDManager m = NDManager.newBaseManager()) {
      float[] data = new TorchGenerator(hh * 31L + ww).randn(2, 3, hh, ww);
      NDArray x = m.create(data, new Shape(2, 3, hh, ww));
      NDArray out = ResizeAndCrop.apply(x, th, tw);
      assertThat(out.getShape()).isEqualTo(new Shape(2, 3, th, tw));
      assertThat(out.getManager()).isSameAs(m);
      float[] expected = naive(data, 2 * 3, hh, ww, th, tw);
      Parity.assertAllClose(out.toFloatArray(), expected, 1e-5, 1e-5);
    }
  }

  @Test
  void halfPrecisionInputGivesFloat32Output() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x =
          m.create(new float[] {0, 4, 8, 12}, new Shape(1, 1, 2, 2))
              .toType(DataType.FLOAT16, false);
      NDArray out = ResizeAndCrop.apply(x, 4, 4);
      assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(out.toFloatArray()[1]).isEqualTo(1f);
    }
  }

  @Test
  void rejectsBadArguments() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.zeros(new Shape(1, 3, 8, 8));
      assertThatThrownBy(() -> ResizeAndCrop.apply(x, 0, 8))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ResizeAndCrop.apply(m.zeros(new Shape(3, 8, 8)), 4, 4))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(B, C, H, W)");
    }
  }

  /**
   * The diffusers recipe written out per output pixel: scale to cover, bilinear with half-pixel
   * centres (align_corners=False), clamp at the borders, centre crop. The source coordinate is
   * computed in float32 as PyTorch does (scale = float(in)/out; at 1000+ pixels its rounding moves
   * the sample by ~1e-4 px, visible at 1e-5 tolerance); the interpolation itself in double.
   */
  private static float[] naive(float[] in, int planes, int inH, int inW, int h, int w) {
    double ratio = Math.max((double) h / inH, (double) w / inW);
    int newH = Math.max(h, (int) (inH * ratio));
    int newW = Math.max(w, (int) (inW * ratio));
    int top = (newH - h) / 2;
    int left = (newW - w) / 2;
    float scaleY = (float) inH / newH;
    float scaleX = (float) inW / newW;
    float[] out = new float[planes * h * w];
    for (int p = 0; p < planes; p++) {
      for (int i = 0; i < h; i++) {
        double sy = Math.max(scaleY * (i + top + 0.5f) - 0.5f, 0f);
        int y0 = Math.min((int) Math.floor(sy), inH - 1);
        int y1 = Math.min(y0 + 1, inH - 1);
        double ly = sy - y0;
        for (int j = 0; j < w; j++) {
          double sx = Math.max(scaleX * (j + left + 0.5f) - 0.5f, 0f);
          int x0 = Math.min((int) Math.floor(sx), inW - 1);
          int x1 = Math.min(x0 + 1, inW - 1);
          double lx = sx - x0;
          int base = p * inH * inW;
          double top0 = (1 - lx) * in[base + y0 * inW + x0] + lx * in[base + y0 * inW + x1];
          double bottom = (1 - lx) * in[base + y1 * inW + x0] + lx * in[base + y1 * inW + x1];
          out[(p * h + i) * w + j] = (float) ((1 - ly) * top0 + ly * bottom);
        }
      }
    }
    return out;
  }
}
