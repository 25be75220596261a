package io.pixartdelta.pixart.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

  @Test
  void readsTheTinyTransformerHeaderAndTensors() {
    Path file = Fixtures.path("model/transformer/diffusion_pytorch_model.safetensors");
    try (SafetensorsFile f = SafetensorsFile.open(file);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(f.metadata()).containsEntry("format", "pt");
      TensorInfo info = f.info("pos_embed.proj.weight");
      assertThat(info.shape()).isEqualTo(new Shape(48, 4, 2, 2));
      assertThat(info.dtype()).isEqualTo(StoredType.F32);
      NDArray w = f.load("pos_embed.proj.weight", m, DataType.FLOAT32);
      assertThat(w.getShape()).isEqualTo(new Shape(48, 4, 2, 2));
      NDArray half = f.load("pos_embed.proj.weight", m, DataType.FLOAT16);
      assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
      // fp16 round trip stays within half precision of the fp32 values.
      float[] a = w.toFloatArray();
      float[] b = half.toType(DataType.FLOAT32, false).toFloatArray();
      for (int i = 0; i < a.length; i++) {
        assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-3f));
      }
    }
  }

  @Test
  void shardedIndexMapsEveryT5TensorToItsShard() {
    try (ShardedSafetensors s =
        ShardedSafetensors.openIndex(
            Fixtures.path("model/text_encoder/model.safetensors.index.json"))) {
      assertThat(s.names()).contains("shared.weight", "encoder.final_layer_norm.weight");
      assertThat(s.info("shared.weight").shape()).isEqualTo(new Shape(1152, 32));
    }
  }

  @Test
  void truncatedFileIsReportedWithItsName(@TempDir Path dir) throws IOException {
    Path src = Fixtures.path("model/vae/diffusion_pytorch_model.safetensors");
    byte[] bytes = Files.readAllBytes(src);
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> SafetensorsFile.open(cut))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("cut.safetensors")
        .hasMessageContaining("corrupt safetensors entry");
  }

  @Test
  void missingFileIsReportedWithItsName(@TempDir Path dir) {
    assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("nope.safetensors")))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("nope.safetensors");
  }

  @Test
  void bf16IsWidenedExactly() {
    // 1.0 = 0x3F80, -2.5 = 0xC020 in bfloat16.
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 0x3F80).putShort((short) 0xC020).flip();
    java.nio.ByteBuffer f = TensorBytes.bf16ToF32(b);
    assertThat(f.getFloat()).isEqualTo(1.0f);
    assertThat(f.getFloat()).isEqualTo(-2.5f);
  }
}
