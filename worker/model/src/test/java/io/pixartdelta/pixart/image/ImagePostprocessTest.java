package io.pixartdelta.pixart.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImagePostprocessTest {

  @Test
  void mapsDecoderRangeToBytes() {
    assertThat(byteOf(-1f)).isZero();
    assertThat(byteOf(1f)).isEqualTo(255);
    assertThat(byteOf(-3f)).isZero(); // clamped
    assertThat(byteOf(7f)).isEqualTo(255); // clamped
    assertThat(byteOf(-0.5f)).isEqualTo(64); // v = 0.25 → 63.75
    assertThat(byteOf(0.5f)).isEqualTo(191); // v = 0.75 → 191.25
    assertThat(byteOf(Float.NaN)).isZero();
  }

  @Test
  void roundsHalvesToEvenLikeNumpy() {
    assertThat(byteOf(0f)).isEqualTo(128); // v = 0.5 → 127.5 → 128 (even)
    // Find float v whose float product v·255 is exactly 2.5 or 4.5: they must round down.
    for (float target : new float[] {2.5f, 4.5f}) {
      float v = target / 255f;
      while (v * 255f > target) {
        v = Math.nextDown(v);
      }
      while (v * 255f < target) {
        v = Math.nextUp(v);
      }
      assertThat(v * 255f).isEqualTo(target);
      assertThat(ImagePostprocess.quantize(v)).isEqualTo((int) target); // 2.5 → 2, 4.5 → 4
    }
  }

  private static int byteOf(float decoderValue) {
    return ImagePostprocess.quantize(ImagePostprocess.denormalize(decoderValue));
  }

  @Test
  void packsChannelsAsRgbInRowMajorOrder() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // (B=2, 3, H=2, W=3): channel c of image b holds a ramp so every pixel is distinct.
      float[] data = new float[2 * 3 * 2 * 3];
      for (int b = 0; b < 2; b++) {
        for (int c = 0; c < 3; c++) {
          for (int p = 0; p < 6; p++) {
            // byte value 10·b + 40·c + p, encoded in the decoder range
            float v = (10 * b + 40 * c + p) / 255f;
            data[((b * 3 + c) * 6) + p] = v * 2 - 1;
          }
        }
      }
      NDArray decoded = manager.create(data, new Shape(2, 3, 2, 3));
      List<BufferedImage> images = ImagePostprocess.toRgb8(decoded);
      assertThat(images).hasSize(2);
      for (int b = 0; b < 2; b++) {
        BufferedImage img = images.get(b);
        assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(img.getWidth()).isEqualTo(3);
        assertThat(img.getHeight()).isEqualTo(2);
        for (int y = 0; y < 2; y++) {
          for (int xx = 0; xx < 3; xx++) {
            int p = y * 3 + xx;
            int rgb = img.getRGB(xx, y) & 0xFFFFFF;
            assertThat(rgb >> 16).as("R b=%d p=%d", b, p).isEqualTo(10 * b + p);
            assertThat((rgb >> 8) & 0xFF).as("G").isEqualTo(10 * b + 40 + p);
            assertThat(rgb & 0xFF).as("B").isEqualTo(10 * b + 80 + p);
          }
        }
      }
      assertThat(decoded.isReleased()).isFalse();
    }
  }

  @Test
  void acceptsHalfPrecisionInput() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray decoded =
          manager
              .create(new float[] {-1, 0, 1}, new Shape(1, 3, 1, 1))
              .toType(DataType.FLOAT16, false);
      int rgb = ImagePostprocess.toRgb8(decoded).get(0).getRGB(0, 0) & 0xFFFFFF;
      assertThat(rgb).isEqualTo((0 << 16) | (128 << 8) | 255);
    }
  }

  @Test
  void referenceImageChannelsAndRoundingMatchNumpy() {
    // pipeline/steps1/image.npy = clamp(decode/2 + 0.5, 0, 1) as (B, H, W, 3); the reference PIL
    // image is (v·255).round() per channel. Check image 0 through our planar path.
    float[] hwc = Fixtures.npy("pipeline/steps1/image.npy").toFloatArray();
    int h = 128;
    int w = 128;
    float[] planes = new float[3 * h * w];
    for (int p = 0; p < h * w; p++) {
      for (int c = 0; c < 3; c++) {
        planes[c * h * w + p] = hwc[p * 3 + c];
      }
    }
    BufferedImage img = ImagePostprocess.toImage(planes, 0, h, w);
    int distinctValues = 0;
    boolean[] seen = new boolean[256];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
          float v = hwc[(y * w + x) * 3 + c];
          int expected = (int) Math.rint(v * 255f); // NumPy float32 multiply, round half to even
          int actual = (rgb >> (16 - 8 * c)) & 0xFF;
          assertThat(actual).as("pixel (%d, %d) channel %d", y, x, c).isEqualTo(expected);
          if (!seen[actual]) {
            seen[actual] = true;
            distinctValues++;
          }
        }
      }
    }
    assertThat(distinctValues).as("a real image, not a constant").isGreaterThan(50);
  }

  @Test
  void decoderPathAgreesWithTheReferenceImageWithinOneLevel() {
    // Feeding x = 2v − 1 back through the decoder path reproduces the reference bytes; the only
    // possible difference is a rounding tie moved by the float round trip.
    float[] hwc = Fixtures.npy("pipeline/steps1/image.npy").toFloatArray();
    int n = 128 * 128;
    float[] chw = new float[3 * 3 * n];
    for (int b = 0; b < 3; b++) {
      for (int p = 0; p < n; p++) {
        for (int c = 0; c < 3; c++) {
          chw[(b * 3 + c) * n + p] = hwc[(b * n + p) * 3 + c] * 2f - 1f;
        }
      }
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      List<BufferedImage> images =
          ImagePostprocess.toRgb8(manager.create(chw, new Shape(3, 3, 128, 128)));
      int exact = 0;
      for (int b = 0; b < 3; b++) {
        for (int p = 0; p < n; p++) {
          int rgb = images.get(b).getRGB(p % 128, p / 128);
          for (int c = 0; c < 3; c++) {
            int expected = (int) Math.rint(hwc[(b * n + p) * 3 + c] * 255f);
            int actual = (rgb >> (16 - 8 * c)) & 0xFF;
            assertThat(Math.abs(actual - expected)).isLessThanOrEqualTo(1);
            if (actual == expected) {
              exact++;
            }
          }
        }
      }
      assertThat(exact).isGreaterThan(3 * 3 * n - 10);
    }
  }

  @Test
  void rejectsWrongShapes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> ImagePostprocess.toRgb8(manager.zeros(new Shape(1, 4, 2, 2))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(B, 3, H, W)");
      assertThatThrownBy(() -> ImagePostprocess.toRgb8(manager.zeros(new Shape(3, 2, 2))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ImagePostprocess.toImage(new float[11], 0, 2, 2))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
