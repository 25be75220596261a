package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header mapping names
 * to dtype/shape/byte range, then raw little-endian data. Tensors are memory-mapped one at a time.
 */
public final class SafetensorsFile implements TensorSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L * 1024 * 1024;

  private final Path path;
  private final FileChannel channel;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path, FileChannel channel, Map<String, TensorInfo> tensors, Map<String, String> meta) {
    this.path = path;
    this.channel = channel;
    this.tensors = tensors;
    this.metadata = meta;
  }

  /** Opens and validates the header of {@code path}; data is read lazily. */
  public static SafetensorsFile open(Path path) {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new WeightException("missing weights file " + path, e);
    } catch (IOException e) {
      throw new WeightException("cannot open weights file " + path + ": " + e.getMessage(), e);
    }
    try {
      long size = channel.size();
      if (size < 8) {
        throw new WeightException("corrupt safetensors file " + path + ": only " + size + " bytes");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
        throw new WeightException(
            "corrupt safetensors file " + path + ": header length " + headerLen);
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(channel, header, 8);
      JsonNode root;
      try {
        root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new WeightException("corrupt safetensors header in " + path + ": " + e.getMessage());
      }
      long dataStart = 8 + headerLen;
      long dataLen = size - dataStart;
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      Map<String, String> meta = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : root.properties()) {
        if (e.getKey().equals("__metadata__")) {
          e.getValue().properties().forEach(m -> meta.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        tensors.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataStart, dataLen));
      }
      return new SafetensorsFile(
          path, channel, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(meta));
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof WeightException) {
        throw (WeightException) e;
      }
      throw new WeightException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
    }
  }

  private static TensorInfo parseEntry(
      Path path, String name, JsonNode node, long dataStart, long dataLen) {
    JsonNode dtype = node.get("dtype");
    JsonNode shape = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtype == null || shape == null || offsets == null || offsets.size() != 2) {
      throw new WeightException("corrupt safetensors entry " + name + " in " + path);
    }
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).asLong();
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin || end > dataLen) {
      throw new WeightException(
          "corrupt safetensors entry "
              + name
              + " in "
              + path
              + ": data range ["
              + begin
              + ", "
              + end
              + ") outside the file's "
              + dataLen
              + " data bytes (truncated file?)");
    }
    StoredType type;
    try {
      type = StoredType.fromSafetensors(dtype.asText());
    } catch (IllegalArgumentException e) {
      throw new WeightException("tensor " + name + " in " + path + ": " + e.getMessage());
    }
    return new TensorInfo(name, path, type, new Shape(dims), dataStart + begin, end - begin);
  }

  private static void readFully(FileChannel channel, ByteBuffer buf, long position)
      throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      pos += n;
    }
  }

  public Path path() {
    return path;
  }

  /** The {@code __metadata__} entries of the header. */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public Set<String> names() {
    return tensors.keySet();
  }

  @Override
  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new WeightException("tensor " + name + " not found in " + path);
    }
    return info;
  }

  @Override
  public String describe() {
    return path.toString();
  }

  @Override
  public NDArray load(String name, NDManager manager, DataType target) {
    TensorInfo info = info(name);
    ByteBuffer bytes = map(info);
    return TensorBytes.toNDArray(info, bytes, manager, target);
  }

  /** Maps the bytes of one tensor read-only, little-endian. */
  ByteBuffer map(TensorInfo info) {
    try {
      if (info.length() == 0) {
        return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
      }
      return channel
          .map(FileChannel.MapMode.READ_ONLY, info.offset(), info.length())
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new WeightException(
          "cannot read tensor " + info.name() + " from " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new WeightException("cannot close " + path, e);
    }
  }

  /** True if {@code path} looks like a safetensors file (by name). */
  public static boolean isSafetensors(Path path) {
    return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".safetensors");
  }
}
