package io.pixartdelta.pixart.weights;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterNdArrayTest {

  @Test
  void writtenFileReadsBackWithNamesShapesTypesAndValues(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("t.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put(
          "a.weight", m.create(new float[] {1.5f, -2f, 3.25f, 0f, 7f, -0.125f}, new Shape(2, 3)));
      tensors.put(
          "b.half", m.create(new float[] {0.5f, -1f, 65504f}).toType(DataType.FLOAT16, false));
      tensors.put("c.ids", m.create(new long[] {1, -2, 1L << 40}));
      tensors.put("d.scalar", m.create(new float[] {42f}, new Shape()));
      SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));

      byte[] bytes = Files.readAllBytes(file);
      long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertThat(headerLen % 8).isZero();
      assertThat(bytes.length).isEqualTo(8 + headerLen + 6 * 4 + 3 * 2 + 3 * 8 + 4);

      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        assertThat(f.names()).containsExactly("a.weight", "b.half", "c.ids", "d.scalar");
        assertThat(f.metadata()).containsEntry("format", "pt");
        assertThat(f.info("a.weight").dtype()).isEqualTo(StoredType.F32);
        assertThat(f.info("b.half").dtype()).isEqualTo(StoredType.F16);
        assertThat(f.info("c.ids").dtype()).isEqualTo(StoredType.I64);
        assertThat(f.info("d.scalar").shape()).isEqualTo(new Shape());
        assertThat(f.load("a.weight", m, DataType.FLOAT32).toFloatArray())
            .containsExactly(1.5f, -2f, 3.25f, 0f, 7f, -0.125f);
        assertThat(f.load("a.weight", m, DataType.FLOAT32).getShape()).isEqualTo(new Shape(2, 3));
        assertThat(f.load("b.half", m, DataType.FLOAT32).toFloatArray())
            .containsExactly(0.5f, -1f, 65504f);
        assertThat(f.load("c.ids", m, DataType.INT64).toLongArray())
            .containsExactly(1, -2, 1L << 40);
        assertThat(f.load("d.scalar", m, DataType.FLOAT32).toFloatArray()).containsExactly(42f);
      }
    }
  }
}
