package io.pixartdelta.pixart.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import io.pixartdelta.pixart.weights.SafetensorsWriter;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HedDetectorTest {
  // float32 convolutions vs a double-precision loop; outputs are probabilities in [0, 1].
  private static final double ATOL = 2e-5;
  private static final double RTOL = 1e-4;

  /** Every tensor of a safetensors file as float32, row-major. */
  static Map<String, float[]> tensors(Path file) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(file);
        NDManager m = NDManager.newBaseManager()) {
      for (String name : f.names()) {
        out.put(name, f.load(name, m, DataType.FLOAT32).toFloatArray());
      }
    }
    return out;
  }

  static float[] randomImage(int b, int h, int w, long seed) {
    Random r = new Random(seed);
    float[] img = new float[b * 3 * h * w];
    for (int i = 0; i < img.length; i++) {
      img[i] = r.nextFloat();
    }
    return img;
  }

  @Test
  void detectMatchesAPlainLoopComputation(@TempDir Path dir) throws IOException {
    Path file = TinyHedWriter.write(dir.resolve("hed.safetensors"), 11);
    // Odd sizes: every pooling drops a row or column (19 → 9 → 4 → 2 → 1, 23 → 11 → 5 → 2 → 1).
    int b = 2;
    int h = 19;
    int w = 23;
    float[] image = randomImage(b, h, w, 5);
    float[] expected = HedReference.forward(tensors(file), TinyHedWriter.TINY, image, b, h, w);
    try (HedDetector hed = HedDetector.load(file, Device.cpu(), DataType.FLOAT32);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(hed.config()).isEqualTo(TinyHedWriter.TINY);
      NDArray edges = hed.detect(m.create(image, new Shape(b, 3, h, w)));
      assertThat(edges.getShape()).isEqualTo(new Shape(b, 1, h, w));
      Parity.assertAllClose(edges.toFloatArray(), expected, ATOL, RTOL);
    }
    // The comparison means something only if the map is neither flat nor saturated.
    double mean = 0;
    for (float v : expected) {
      mean += v / expected.length;
    }
    double var = 0;
    for (float v : expected) {
      var += (v - mean) * (v - mean) / expected.length;
    }
    assertThat(Math.sqrt(var)).isGreaterThan(0.01);
    assertThat(mean).isBetween(0.05, 0.95);
  }

  @Test
  void readsTheOfficialPthLayoutInHalfPrecisionAndTakesWidthsFromShapes(@TempDir Path dir)
      throws IOException {
    HedConfig odd = new HedConfig(List.of(3, 5, 6, 7, 4));
    Map<String, float[]> f32 = tensors(TinyHedWriter.write(dir.resolve("t.safetensors"), 3, odd));
    Map<String, float[]> rounded = new LinkedHashMap<>();
    Map<String, TorchStateDictWriter.HalfTensor> half = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      for (Map.Entry<String, Shape> e : odd.weightSpec().expected().entrySet()) {
        NDArray h = m.create(f32.get(e.getKey()), e.getValue()).toType(DataType.FLOAT16, false);
        ByteBuffer bytes = h.toByteBuffer();
        byte[] raw = new byte[bytes.remaining()];
        bytes.get(raw);
        half.put(e.getKey(), new TorchStateDictWriter.HalfTensor(e.getValue().getShape(), raw));
        rounded.put(e.getKey(), h.toType(DataType.FLOAT32, false).toFloatArray());
      }
    }
    Path pth = dir.resolve("ControlNetHED.pth");
    TorchStateDictWriter.write(pth, half);

    float[] image = randomImage(1, 17, 16, 9);
    float[] expected = HedReference.forward(rounded, odd, image, 1, 17, 16);
    try (HedDetector hed = HedDetector.load(pth, Device.cpu(), DataType.FLOAT32);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(hed.config()).isEqualTo(odd);
      NDArray edges = hed.detect(m.create(image, new Shape(1, 3, 17, 16)));
      Parity.assertAllClose(edges.toFloatArray(), expected, ATOL, RTOL);
    }
  }

  @Test
  void theOfficialLayoutHasTheSpecShapesAndParameterCount() {
    Map<String, Shape> spec = HedConfig.official().weightSpec().expected();
    assertThat(spec.get("norm")).isEqualTo(new Shape(1, 3, 1, 1));
    assertThat(spec.get("block1.convs.0.weight")).isEqualTo(new Shape(64, 3, 3, 3));
    assertThat(spec.get("block1.convs.1.weight")).isEqualTo(new Shape(64, 64, 3, 3));
    assertThat(spec.get("block1.projection.weight")).isEqualTo(new Shape(1, 64, 1, 1));
    assertThat(spec.get("block3.convs.0.weight")).isEqualTo(new Shape(256, 128, 3, 3));
    assertThat(spec.get("block5.convs.2.weight")).isEqualTo(new Shape(512, 512, 3, 3));
    assertThat(spec.get("block5.projection.bias")).isEqualTo(new Shape(1));
    assertThat(spec).doesNotContainKey("block2.convs.2.weight").containsKey("block3.convs.2.bias");
    // 2 + 2 + 3 + 3 + 3 convolutions with biases, 5 projections, norm: 29.4 MB in fp16 as
    // published.
    long params = spec.values().stream().mapToLong(Shape::size).sum();
    assertThat(params).isEqualTo(14_716_168L);
    assertThat(spec).hasSize(1 + 2 * 13 + 2 * 5);
  }

  @Test
  void checkpointsThatDoNotMatchTheLayoutAreRefused(@TempDir Path dir) throws IOException {
    Map<String, float[]> good = tensors(TinyHedWriter.write(dir.resolve("good.safetensors"), 1));
    Map<String, Shape> shapes = TinyHedWriter.TINY.weightSpec().expected();

    Path missing =
        writeWithout(dir.resolve("missing.safetensors"), good, shapes, "block4.convs.1.bias");
    assertThatThrownBy(() -> HedDetector.load(missing, Device.cpu(), DataType.FLOAT32))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("missing")
        .hasMessageContaining("block4.convs.1.bias");

    Path notHed =
        writeWithout(dir.resolve("nothed.safetensors"), good, shapes, "block1.convs.0.weight");
    assertThatThrownBy(() -> HedDetector.load(notHed, Device.cpu(), DataType.FLOAT32))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("not a HED network");

    SafetensorsWriter extra = new SafetensorsWriter();
    shapes.forEach((n, s) -> extra.addF32(n, s, good.get(n)));
    extra.addF32("block6.projection.weight", new Shape(1, 8, 1, 1), new float[8]);
    Path extraFile = dir.resolve("extra.safetensors");
    extra.write(extraFile);
    assertThatThrownBy(() -> HedDetector.load(extraFile, Device.cpu(), DataType.FLOAT32))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("unexpected")
        .hasMessageContaining("block6.projection.weight");

    // Block 2 widened to 16 channels while block 3 still expects 8 inputs.
    SafetensorsWriter inconsistent = new SafetensorsWriter();
    shapes.forEach(
        (n, s) -> {
          if (n.startsWith("block2.")) {
            long[] d = s.getShape().clone();
            d[0] = d[0] == 1 ? 1 : 16;
            if (d.length == 4 && !n.contains("convs.0")) {
              d[1] = 16;
            }
            inconsistent.addF32(n, new Shape(d), new float[(int) new Shape(d).size()]);
          } else {
            inconsistent.addF32(n, s, good.get(n));
          }
        });
    Path bad = dir.resolve("inconsistent.safetensors");
    inconsistent.write(bad);
    assertThatThrownBy(() -> HedDetector.load(bad, Device.cpu(), DataType.FLOAT32))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("block3.convs.0.weight");

    Path absent = dir.resolve("absent.pth");
    assertThatThrownBy(() -> HedDetector.load(absent, Device.cpu(), DataType.FLOAT32))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("absent.pth");
  }

  @Test
  void maxPoolTakesTheMaximumOfEach2x2BlockAndDropsAnOddBorder() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] v = new float[25];
      for (int i = 0; i < 25; i++) {
        v[i] = (i * 7) % 11 - 5; // 5×5: rows 0..4
      }
      NDArray x = m.create(v, new Shape(1, 1, 5, 5));
      NDArray y = HedBlock.maxPool2x2(x);
      assertThat(y.getShape()).isEqualTo(new Shape(1, 1, 2, 2));
      // Blocks {0,1,5,6}, {2,3,7,8}, {10,11,15,16}, {12,13,17,18} of (i·7 mod 11) − 5; row 4 and
      // column 4 are never read.
      assertThat(y.toFloatArray()).containsExactly(4f, 5f, 1f, 4f);
    }
  }

  @Test
  void bilinearUpsamplingUsesHalfPixelCentresAndClampsAtTheBorder() {
    try (NDManager m = NDManager.newBaseManager()) {
      // 2 → 4: sources −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
      NDArray row = m.create(new float[] {10f, 20f}, new Shape(1, 1, 1, 2));
      assertThat(BilinearUpsample.resize(row, 1, 4).toFloatArray())
          .containsExactly(10f, 12.5f, 17.5f, 20f);
      // 2 → 3: sources 1/6, 5/6: weights (5/6, 1/6), (1/6, 5/6) with the clamp at the ends.
      float[] three = BilinearUpsample.resize(row, 1, 3).toFloatArray();
      assertThat(three[0]).isEqualTo(10f);
      assertThat(three[1]).isCloseTo(15f, Offset.offset(1e-5f));
      assertThat(three[2]).isEqualTo(20f);
      // Both axes: a 2×2 corner pattern to 4×4 is the outer product of the 1-D weights.
      NDArray square = m.create(new float[] {0f, 4f, 8f, 12f}, new Shape(1, 1, 2, 2));
      float[] up = BilinearUpsample.resize(square, 4, 4).toFloatArray();
      float[] axis = {0f, 0.25f, 0.75f, 1f};
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          assertThat(up[y * 4 + x]).isEqualTo(8f * axis[y] + 4f * axis[x]);
        }
      }
      assertThat(BilinearUpsample.resize(square, 2, 2)).isSameAs(square);
    }
  }

  @Test
  void inputsMustBeRgbBatches(@TempDir Path dir) throws IOException {
    Path file = TinyHedWriter.write(dir.resolve("hed.safetensors"), 2);
    try (HedDetector hed = HedDetector.load(file, Device.cpu(), DataType.FLOAT32);
        NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> hed.detect(m.zeros(new Shape(1, 1, 32, 32))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(B, 3, H, W)");
    }
  }

  @Test
  void theTinyWriterIsDeterministic(@TempDir Path dir) throws IOException {
    Path a = TinyHedWriter.write(dir.resolve("a.safetensors"), 42);
    Path b = TinyHedWriter.write(dir.resolve("b.safetensors"), 42);
    Path c = TinyHedWriter.write(dir.resolve("c.safetensors"), 43);
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    assertThat(Files.readAllBytes(a)).isNotEqualTo(Files.readAllBytes(c));
    assertThat(tensors(a).keySet())
        .containsExactlyInAnyOrderElementsOf(HedConfig.official().weightSpec().expected().keySet());
  }

  private static Path writeWithout(
      Path file, Map<String, float[]> values, Map<String, Shape> shapes, String skipped)
      throws IOException {
    SafetensorsWriter w = new SafetensorsWriter();
    shapes.forEach(
        (n, s) -> {
          if (!n.equals(skipped)) {
            w.addF32(n, s, values.get(n));
          }
        });
    w.write(file);
    return file;
  }
}
