package io.pixartdelta.pixart.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PthCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode manifestCase(String id) throws IOException {
    JsonNode root = JSON.readTree(Files.readString(Fixtures.path("manifest.json")));
    for (JsonNode c : root.get("cases")) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new IllegalStateException(id);
  }

  @Test
  void readsEveryReaderTestTensorExactly() throws IOException {
    JsonNode c = manifestCase("controlnet/reader_test");
    try (PthCheckpoint ckpt = PthCheckpoint.open(Fixtures.path("controlnet/reader_test.pth"));
        NDManager m = NDManager.newBaseManager()) {
      assertThat(ckpt.topLevel()).containsEntry("epoch", 7L);
      assertThat(ckpt.names()).hasSize(c.get("tensors").size());
      for (JsonNode t : c.get("tensors")) {
        String key = t.get("key").asText();
        Npy.Array expected = Fixtures.npy(t.get("npy").asText());
        NDArray actual = ckpt.load(key, m, null);
        // The manifest's shape is the tensor's (a 0-d scalar is stored as (1,) in its .npy file).
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = t.get("shape").get(i).asLong();
        }
        assertThat(actual.getShape()).as(key).isEqualTo(new ai.djl.ndarray.types.Shape(shape));
        if (t.get("torch_dtype").asText().equals("int64")) {
          assertThat(actual.toLongArray()).as(key).containsExactly(expected.toLongArray());
        } else if (t.get("torch_dtype").asText().equals("float16")) {
          // Compare raw bits: inf, NaN, subnormals and -0 must survive untouched.
          assertThat(actual.getDataType()).isEqualTo(DataType.FLOAT16);
          assertThat(shorts(actual.toByteBuffer()))
              .as(key)
              .containsExactly(shorts(expected.data()));
        } else {
          float[] e = expected.toFloatArray();
          float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
          assertThat(a).as(key).containsExactly(e);
        }
      }
    }
  }

  private static short[] shorts(ByteBuffer b) {
    ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    short[] out = new short[d.remaining() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = d.getShort();
    }
    return out;
  }

  @Test
  void originalLayoutMatchesTheDiffusersTensorsThroughTheManifestMapping() throws IOException {
    JsonNode c = manifestCase("controlnet/original_layout");
    try (PthCheckpoint ckpt = PthCheckpoint.open(Fixtures.path("controlnet/original_layout.pth"));
        SafetensorsFile base =
            SafetensorsFile.open(
                Fixtures.path("model/transformer/diffusion_pytorch_model.safetensors"));
        SafetensorsFile adapter =
            SafetensorsFile.open(
                Fixtures.path("controlnet/adapter/diffusion_pytorch_model.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      assertThat(ckpt.names()).hasSize(c.get("n_tensors").asInt());
      int checked = 0;
      for (JsonNode entry : c.get("mapping")) {
        String original = entry.get("original").asText();
        List<NDArray> parts = new ArrayList<>();
        for (JsonNode k : entry.get("diffusers_keys")) {
          String key = k.asText();
          SafetensorsFile src = base.names().contains(key) ? base : adapter;
          parts.add(src.load(key, m, DataType.FLOAT32));
        }
        if (parts.isEmpty()) {
          continue;
        }
        NDArray expected =
            parts.size() == 1 ? parts.get(0) : NDArrays.concat(new ai.djl.ndarray.NDList(parts), 0);
        NDArray actual = ckpt.load(original, m, DataType.FLOAT32);
        assertThat(actual.toFloatArray()).as(original).containsExactly(expected.toFloatArray());
        checked++;
      }
      assertThat(checked).isGreaterThan(100);
    }
  }

  /** NDArrays.concat lives in DJL; wrapped to keep the call site readable. */
  private static final class NDArrays {
    static NDArray concat(ai.djl.ndarray.NDList list, int axis) {
      return ai.djl.ndarray.NDArrays.concat(list, axis);
    }
  }

  @Test
  void refusesAPickleThatNamesAnyOtherGlobal(@TempDir Path dir) throws IOException {
    // PROTO 2, GLOBAL 'os system', BINUNICODE 'echo pwned', TUPLE1, REDUCE, STOP
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(new byte[] {(byte) 0x80, 2});
    p.write("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
    writeUnicode(p, "echo pwned");
    p.write(new byte[] {(byte) 0x85, 'R', '.'});
    Path file = writePth(dir, p.toByteArray());
    assertThatThrownBy(() -> PthCheckpoint.open(file))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("global os.system")
        .hasMessageContaining("not allowed");
  }

  @Test
  void refusesOpcodesOutsideTheCheckpointSubset(@TempDir Path dir) throws IOException {
    // PROTO 2, MARK, INST 'builtins eval' ... : INST (0x69) builds arbitrary objects.
    byte[] pickle = {(byte) 0x80, 2, '(', 'i', 'b', '\n', 'c', '\n', '.'};
    Path file = writePth(dir, pickle);
    assertThatThrownBy(() -> PthCheckpoint.open(file))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("opcode 0x69");
  }

  @Test
  void refusesCallingAnAllowedStorageTypeOrBuildingArbitraryObjects(@TempDir Path dir)
      throws IOException {
    // GLOBAL 'torch FloatStorage', EMPTY_TUPLE, REDUCE: storages may only appear in persistent ids.
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(new byte[] {(byte) 0x80, 2});
    p.write("ctorch\nFloatStorage\n".getBytes(StandardCharsets.US_ASCII));
    p.write(new byte[] {')', 'R', '.'});
    Path file = writePth(dir, p.toByteArray());
    assertThatThrownBy(() -> PthCheckpoint.open(file))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("torch.FloatStorage");
  }

  @Test
  void legacyOrCorruptFilesGetAClearError(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("legacy.pth");
    Files.write(file, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10});
    assertThatThrownBy(() -> PthCheckpoint.open(file))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("legacy.pth");
  }

  private static void writeUnicode(ByteArrayOutputStream p, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    p.write('X');
    p.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
    p.write(b);
  }

  private static Path writePth(Path dir, byte[] pickle) throws IOException {
    Path file = dir.resolve("evil.pth");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      z.putNextEntry(new ZipEntry("evil/data.pkl"));
      z.write(pickle);
      z.closeEntry();
    }
    return file;
  }
}
