package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.text.Int8Rows;
import io.pixartdelta.pixart.text.T5Encoder;
import io.pixartdelta.pixart.text.T5WeightStorage;
import io.pixartdelta.pixart.weights.SafetensorsWriter;
import io.pixartdelta.pixart.weights.ShardedSafetensors;
import io.pixartdelta.pixart.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole tiny pipeline with the 8 GB mode's int8 T5 against the reference images (computed with
 * fp32 T5) on the fixture's prompts and seeds: the end-to-end quality loss of quantizing T5. A
 * negative control shows the comparison can fail: an int8 T5 whose rows carry their neighbour's
 * scale must not pass it.
 */
class PixArtPipelineInt8T5Test {
  /**
   * Images in [0, 1]. The int8 T5 output differs from fp32 by ≈ 1.5 % relative L2 (see
   * T5EncoderInt8Test). The tiny random transformer listens to its captions only weakly: the
   * negative control below (every int8 row dequantized with its neighbour's scale) still reaches
   * about 57 dB, so a loose "visually the same" bound such as 40 dB would pass it. The bounds sit
   * just outside what int8 rounding costs here (about 88 dB, max |diff| 3e-4): PSNR ≥ 80 dB (RMS
   * error ≤ 1e-4) and no value off by more than 1e-3.
   */
  private static final double MIN_PSNR_DB = 80;

  private static final double MAX_ABS = 1e-3;

  private static PixArtPipeline int8;

  @BeforeAll
  static void load() {
    int8 = loadInt8(Fixtures.tinyModel());
  }

  @AfterAll
  static void close() {
    int8.close();
  }

  private static PixArtPipeline loadInt8(Path model) {
    return PixArtPipeline.load(
        ModelDirectory.open(model),
        PipelineOptions.cpuReference().withT5Weights(T5WeightStorage.INT8));
  }

  /** PSNR and largest difference of a pipeline's images against the fp32 reference images. */
  private record Quality(double psnrDb, double maxAbs) {
    boolean passes() {
      return psnrDb >= MIN_PSNR_DB && maxAbs <= MAX_ABS;
    }
  }

  private static Quality againstReference(PixArtPipeline pipeline, int steps) {
    JsonNode c = PipelineFixtures.pipelineCase(steps);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray latents = pipeline.generateLatents(PipelineFixtures.requests(c, steps), m);
      float[] image =
          pipeline
              .decode(latents)
              .mul(0.5f)
              .add(0.5f)
              .clip(0f, 1f)
              .transpose(0, 2, 3, 1)
              .toFloatArray(); // (3, 128, 128, 3)
      float[] expected = Fixtures.array(m, "pipeline/steps" + steps + "/image.npy").toFloatArray();
      double squared = 0;
      double maxAbs = 0;
      for (int i = 0; i < image.length; i++) {
        double d = (double) image[i] - expected[i];
        squared += d * d;
        maxAbs = Math.max(maxAbs, Math.abs(d));
      }
      return new Quality(10 * Math.log10(1 / (squared / image.length)), maxAbs);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void imagesStayCloseToTheFp32T5Reference(int steps) {
    Quality q = againstReference(int8, steps);
    System.out.printf(
        "pipeline %d steps, int8 T5 vs fp32 T5 reference: PSNR %.2f dB, max |diff| %.4f%n",
        steps, q.psnrDb(), q.maxAbs());
    assertThat(q.psnrDb()).isGreaterThanOrEqualTo(MIN_PSNR_DB);
    assertThat(q.maxAbs()).isLessThanOrEqualTo(MAX_ABS);
  }

  @Test
  void anInt8T5WithWrongScalesFailsTheSameComparison(@TempDir Path dir) throws IOException {
    Path model = copyWithShiftedInt8Scales(Fixtures.tinyModel(), dir.resolve("model"));
    try (PixArtPipeline broken = loadInt8(model)) {
      for (int steps : new int[] {1, 4}) {
        Quality q = againstReference(broken, steps);
        System.out.printf(
            "pipeline %d steps, int8 T5 with shifted scales: PSNR %.2f dB, max |diff| %.4f%n",
            steps, q.psnrDb(), q.maxAbs());
        assertThat(q.passes()).as("%d steps: %s", steps, q).isFalse();
      }
    }
  }

  /**
   * A copy of {@code source} whose T5 checkpoint, once quantized per row, dequantizes every row of
   * every int8 parameter with the next row's scale (the last with the first's): each such row r is
   * stored multiplied by absmax(r + 1) / absmax(r), which leaves its int8 values unchanged and
   * replaces its scale absmax(r)/127 by absmax(r + 1)/127.
   */
  private static Path copyWithShiftedInt8Scales(Path source, Path target) throws IOException {
    try (Stream<Path> files = Files.walk(source)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, target.resolve(source.relativize(f).toString()));
      }
    }
    Path textEncoder = target.resolve("text_encoder");
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager();
        TensorSource t5 =
            ShardedSafetensors.openFolder(
                textEncoder, "model.safetensors", "model.safetensors.index.json", "T5")) {
      for (String name : t5.names()) {
        NDArray w = t5.load(name, m, DataType.FLOAT32);
        tensors.put(name, T5Encoder.isQuantized(name) ? withNextRowsScale(w) : w);
      }
      assertThat(tensors.keySet().stream().filter(T5Encoder::isQuantized)).isNotEmpty();
      try (Stream<Path> old = Files.list(textEncoder)) {
        for (Path f : (Iterable<Path>) old::iterator) {
          if (f.getFileName().toString().startsWith("model")) {
            Files.delete(f);
          }
        }
      }
      SafetensorsWriter.write(textEncoder.resolve("model.safetensors"), tensors, Map.of());
    }
    return target;
  }

  /** (rows, cols) → each row r times absmax(r + 1 mod rows) / absmax(r). */
  private static NDArray withNextRowsScale(NDArray w) {
    NDArray absMax = w.abs().max(new int[] {1}, true); // (rows, 1)
    NDArray next = absMax.get("1:").concat(absMax.get(":1"), 0); // (rows, 1)
    return w.mul(next.div(absMax)); // (rows, cols)
  }

  @Test
  void reportsTheInt8TextEncoderBytes() {
    Map<String, Long> bytes = int8.weightBytes();
    assertThat(bytes.keySet()).containsExactly("text_encoder", "transformer", "vae");
    try (PixArtPipeline full =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()), PipelineOptions.cpuReference())) {
      Map<String, Long> fullBytes = full.weightBytes();
      assertThat(bytes.get("text_encoder")).isLessThan(fullBytes.get("text_encoder") * 3 / 10);
      assertThat(bytes.get("transformer")).isEqualTo(fullBytes.get("transformer"));
      assertThat(bytes.get("vae")).isEqualTo(fullBytes.get("vae"));
    }
  }

  @Test
  void theNegativeControlKeepsTheInt8ValuesAndMovesEachScaleUpOneRow() {
    int rows = 5;
    int cols = 7;
    float[] values = new float[rows * cols];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.sin(0.7 * i + 0.3) * (1 + i / cols); // row r spans about ±(r + 1)
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(values, new Shape(rows, cols));
      Int8Rows.Quantized original = Int8Rows.quantize(w, DataType.FLOAT32);
      Int8Rows.Quantized shifted = Int8Rows.quantize(withNextRowsScale(w), DataType.FLOAT32);
      byte[] q = original.values().toByteArray();
      byte[] qShifted = shifted.values().toByteArray();
      for (int i = 0; i < q.length; i++) {
        assertThat(Math.abs(qShifted[i] - q[i])).as("int8 value %d", i).isLessThanOrEqualTo(1);
      }
      float[] scales = original.scales().toFloatArray();
      float[] moved = shifted.scales().toFloatArray();
      for (int r = 0; r < rows; r++) {
        assertThat(moved[r]).isCloseTo(scales[(r + 1) % rows], Offset.offset(1e-6f * scales[0]));
      }
    }
  }
}
