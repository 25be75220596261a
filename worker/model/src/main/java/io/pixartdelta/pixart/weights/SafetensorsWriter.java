package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a {@code .safetensors} file: tensors are added in order, then {@link #write(Path)} emits
 * the header (8-byte aligned, with {@code __metadata__ {"format": "pt"}}) and the data. Used by the
 * tiny-model tool and by tests that need checkpoints with other names.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Entry(StoredType dtype, Shape shape, ByteBuffer data) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>(Map.of("format", "pt"));

  /**
   * Writes {@code tensors} (name → array, in iteration order, copied to the host) with the given
   * header {@code __metadata__} to {@code file}.
   */
  public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
      throws IOException {
    SafetensorsWriter w = new SafetensorsWriter().metadata(metadata);
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      NDArray a = e.getValue();
      w.add(e.getKey(), storedTypeOf(e.getKey(), a.getDataType()), a.getShape(), a.toByteBuffer());
    }
    w.write(file);
  }

  /** Replaces the header's {@code __metadata__} entries (omitted from the file when empty). */
  public SafetensorsWriter metadata(Map<String, String> entries) {
    metadata.clear();
    metadata.putAll(entries);
    return this;
  }

  private static StoredType storedTypeOf(String name, DataType type) {
    switch (type) {
      case FLOAT32:
        return StoredType.F32;
      case FLOAT16:
        return StoredType.F16;
      case FLOAT64:
        return StoredType.F64;
      case INT64:
        return StoredType.I64;
      case INT32:
        return StoredType.I32;
      case INT8:
        return StoredType.I8;
      case UINT8:
        return StoredType.U8;
      case BOOLEAN:
        return StoredType.BOOL;
      default:
        throw new IllegalArgumentException("cannot write tensor " + name + " of type " + type);
    }
  }

  /** Adds a float32 tensor (row-major values). */
  public SafetensorsWriter addF32(String name, Shape shape, float[] values) {
    if (values.length != shape.size()) {
      throw new IllegalArgumentException(name + ": " + values.length + " values for " + shape);
    }
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return add(name, StoredType.F32, shape, b);
  }

  /** Adds raw little-endian bytes of the given type. */
  public SafetensorsWriter add(String name, StoredType dtype, Shape shape, ByteBuffer data) {
    data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (data.remaining() != shape.size() * dtype.bytes()) {
      throw new IllegalArgumentException(name + ": byte count does not match " + shape);
    }
    if (entries.put(name, new Entry(dtype, shape, data.duplicate())) != null) {
      throw new IllegalArgumentException("tensor added twice: " + name);
    }
    return this;
  }

  /** Writes the file, replacing any existing one. */
  public void write(Path file) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", e.getValue().dtype().safetensorsCode());
      ArrayNode shape = t.putArray("shape");
      for (long d : e.getValue().shape().getShape()) {
        shape.add(d);
      }
      long len = e.getValue().data().remaining();
      t.putArray("data_offsets").add(offset).add(offset + len);
      offset += len;
    }
    byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int pad = (8 - json.length % 8) % 8;
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    len.putLong(json.length + pad);
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(len.array());
      out.write(json);
      out.write(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII));
      for (Entry e : entries.values()) {
        ByteBuffer d = e.data().duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        out.write(bytes);
      }
    }
  }
}
