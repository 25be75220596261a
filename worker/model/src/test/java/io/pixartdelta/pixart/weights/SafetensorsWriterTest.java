package io.pixartdelta.pixart.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

  @Test
  void writtenFilesReadBackThroughTheStrictLoader(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.safetensors");
    new SafetensorsWriter()
        .addF32("a.weight", new Shape(2, 3), new float[] {1, 2, 3, 4, 5, 6})
        .addF32("a.bias", new Shape(2), new float[] {-1, 1})
        .addF32("unused.buffer", new Shape(1), new float[] {0})
        .write(file);
    WeightSpec spec =
        new WeightSpec().expect("a.weight", 2, 3).expect("a.bias", 2).ignore("unused.buffer");
    try (SafetensorsFile f = SafetensorsFile.open(file);
        Weights w = StrictLoader.load(f, spec, ai.djl.Device.cpu(), DataType.FLOAT32)) {
      assertThat(w.get("a.weight").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(w.get("a.bias").toFloatArray()).containsExactly(-1, 1);
    }
  }

  @Test
  void strictLoaderReportsMissingUnexpectedAndMisShapedTogether(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("m.safetensors");
    new SafetensorsWriter()
        .addF32("a.weight", new Shape(3, 2), new float[6])
        .addF32("stray", new Shape(1), new float[1])
        .write(file);
    WeightSpec spec = new WeightSpec().expect("a.weight", 2, 3).expect("a.bias", 2);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertThatThrownBy(() -> StrictLoader.resolve(f, spec))
          .isInstanceOf(WeightException.class)
          .hasMessageContaining("m.safetensors")
          .hasMessageContaining("missing (1): a.bias")
          .hasMessageContaining("a.weight has shape (3, 2), expected (2, 3)")
          .hasMessageContaining("unexpected (1): stray");
    }
  }

  @Test
  void aliasesStandInForAbsentNames(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.safetensors");
    new SafetensorsWriter().addF32("shared.weight", new Shape(2), new float[] {7, 8}).write(file);
    WeightSpec spec =
        new WeightSpec()
            .expect("encoder.embed_tokens.weight", 2)
            .alias("encoder.embed_tokens.weight", "shared.weight");
    try (SafetensorsFile f = SafetensorsFile.open(file);
        Weights w = StrictLoader.load(f, spec, ai.djl.Device.cpu(), DataType.FLOAT32)) {
      assertThat(w.get("encoder.embed_tokens.weight").toFloatArray()).containsExactly(7, 8);
    }
  }
}
