package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@code .safetensors} file (spec §1.2) from NDArrays: tensors in the given order, the
 * header padded with spaces to a multiple of 8 bytes as the reference library does. For test
 * checkpoints and converted weights; BF16 is not representable in DJL and cannot be written.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsWriter() {}

  /**
   * Writes {@code tensors} (name → array, in iteration order) and {@code metadata} (the header's
   * {@code __metadata__}, omitted if empty) to {@code file}, replacing it.
   */
  public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
      throws IOException {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalStateException("safetensors writing needs a little-endian host");
    }
    Map<String, Object> header = new LinkedHashMap<>();
    if (!metadata.isEmpty()) {
      header.put("__metadata__", metadata);
    }
    long offset = 0;
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      NDArray a = e.getValue();
      long bytes = a.getShape().size() * a.getDataType().getNumOfBytes();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", codeOf(e.getKey(), a.getDataType()));
      entry.put("shape", a.getShape().getShape());
      entry.put("data_offsets", List.of(offset, offset + bytes));
      header.put(e.getKey(), entry);
      offset += bytes;
    }
    byte[] json = headerBytes(header);
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer prefix = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
      prefix.putLong(json.length).put(json).flip();
      writeFully(out, prefix);
      for (NDArray a : tensors.values()) {
        writeFully(out, a.toByteBuffer());
      }
    }
  }

  private static byte[] headerBytes(Map<String, Object> header) throws JsonProcessingException {
    byte[] raw = JSON.writeValueAsBytes(header);
    int padded = (raw.length + 7) / 8 * 8;
    byte[] out = new byte[padded];
    System.arraycopy(raw, 0, out, 0, raw.length);
    for (int i = raw.length; i < padded; i++) {
      out[i] = ' ';
    }
    return out;
  }

  private static String codeOf(String name, DataType type) {
    switch (type) {
      case FLOAT32:
        return StoredType.F32.safetensorsCode();
      case FLOAT16:
        return StoredType.F16.safetensorsCode();
      case FLOAT64:
        return StoredType.F64.safetensorsCode();
      case INT64:
        return StoredType.I64.safetensorsCode();
      case INT32:
        return StoredType.I32.safetensorsCode();
      case INT8:
        return StoredType.I8.safetensorsCode();
      case UINT8:
        return StoredType.U8.safetensorsCode();
      case BOOLEAN:
        return StoredType.BOOL.safetensorsCode();
      default:
        throw new IllegalArgumentException("cannot write tensor " + name + " of type " + type);
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer data) throws IOException {
    while (data.hasRemaining()) {
      out.write(data);
    }
  }
}
