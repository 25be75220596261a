package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.weights.RestrictedUnpickler.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A PyTorch {@code torch.save} checkpoint in the zip format ({@code <name>/data.pkl} + {@code
 * <name>/data/<storage key>}), read as a {@link TensorSource} without executing any pickle code
 * (see {@link RestrictedUnpickler}). If the top-level object holds a {@code state_dict} entry, that
 * is the tensor map; otherwise the top-level dict itself. Non-contiguous views and shared storages
 * are materialized as contiguous tensors.
 */
public final class PthCheckpoint implements TensorSource {
  private final Path path;
  private final ZipFile zip;
  private final String prefix;
  private final Map<String, TensorRef> tensors;
  private final Map<String, Object> topLevel;

  private PthCheckpoint(
      Path path,
      ZipFile zip,
      String prefix,
      Map<String, TensorRef> tensors,
      Map<String, Object> topLevel) {
    this.path = path;
    this.zip = zip;
    this.prefix = prefix;
    this.tensors = tensors;
    this.topLevel = topLevel;
  }

  /** Opens {@code path} and reads its pickle; storages are read lazily per tensor. */
  public static PthCheckpoint open(Path path) {
    ZipFile zip;
    try {
      zip = new ZipFile(path.toFile());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new WeightException("missing checkpoint " + path, e);
    } catch (ZipException e) {
      throw new WeightException(
          "unsupported checkpoint "
              + path
              + ": not a zip-format torch.save file (legacy pre-1.6 format or corrupt); re-save it"
              + " with a current PyTorch",
          e);
    } catch (IOException e) {
      throw new WeightException("cannot open checkpoint " + path + ": " + e.getMessage(), e);
    }
    try {
      ZipEntry pkl =
          zip.stream()
              .filter(
                  e ->
                      e.getName().endsWith("/data.pkl")
                          && e.getName().indexOf('/') == e.getName().lastIndexOf('/'))
              .findFirst()
              .orElseThrow(() -> new WeightException("checkpoint " + path + " has no data.pkl"));
      String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
      byte[] bytes;
      try (InputStream in = zip.getInputStream(pkl)) {
        bytes = in.readAllBytes();
      }
      Object root = RestrictedUnpickler.load(bytes, path.toString());
      if (!(root instanceof Map)) {
        throw new WeightException("checkpoint " + path + " does not hold a dict");
      }
      Map<String, Object> top = asStringMap(root);
      Object sd = top.containsKey("state_dict") ? top.get("state_dict") : top;
      if (!(sd instanceof Map)) {
        throw new WeightException("checkpoint " + path + ": state_dict is not a dict");
      }
      Map<String, TensorRef> tensors = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : asStringMap(sd).entrySet()) {
        if (e.getValue() instanceof TensorRef) {
          tensors.put(e.getKey(), (TensorRef) e.getValue());
        }
      }
      Map<String, Object> others = new LinkedHashMap<>(top);
      others.remove("state_dict");
      return new PthCheckpoint(
          path,
          zip,
          prefix,
          Collections.unmodifiableMap(tensors),
          Collections.unmodifiableMap(others));
    } catch (IOException | RuntimeException e) {
      try {
        zip.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof WeightException) {
        throw (WeightException) e;
      }
      throw new WeightException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asStringMap(Object o) {
    return (Map<String, Object>) o;
  }

  /** Top-level entries other than the state dict (e.g. {@code epoch}). */
  public Map<String, Object> topLevel() {
    return topLevel;
  }

  @Override
  public Set<String> names() {
    return tensors.keySet();
  }

  @Override
  public TensorInfo info(String name) {
    TensorRef t = ref(name);
    Shape shape = new Shape(t.size());
    return new TensorInfo(
        name, path, t.storage().dtype(), shape, 0, shape.size() * t.storage().dtype().bytes());
  }

  @Override
  public String describe() {
    return path.toString();
  }

  @Override
  public NDArray load(String name, NDManager manager, DataType target) {
    TensorRef t = ref(name);
    ByteBuffer storage = readStorage(name, t);
    ByteBuffer dense = gather(t, storage);
    return TensorBytes.toNDArray(info(name), dense, manager, target);
  }

  private TensorRef ref(String name) {
    TensorRef t = tensors.get(name);
    if (t == null) {
      throw new WeightException("tensor " + name + " not found in " + path);
    }
    return t;
  }

  private ByteBuffer readStorage(String name, TensorRef t) {
    String entryName = prefix + "data/" + t.storage().key();
    ZipEntry entry = zip.getEntry(entryName);
    if (entry == null) {
      throw new WeightException(
          "checkpoint " + path + " lacks storage " + entryName + " of tensor " + name);
    }
    long bytes = t.storage().numel() * t.storage().dtype().bytes();
    if (entry.getSize() >= 0 && entry.getSize() < bytes) {
      throw new WeightException(
          "corrupt checkpoint "
              + path
              + ": storage of "
              + name
              + " has "
              + entry.getSize()
              + " bytes, expected "
              + bytes);
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] data = in.readNBytes(Math.toIntExact(bytes));
      if (data.length != bytes) {
        throw new WeightException(
            "corrupt checkpoint " + path + ": storage of " + name + " truncated");
      }
      return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new WeightException("cannot read tensor " + name + " from " + path, e);
    }
  }

  /** Copies the elements of a strided view into a contiguous little-endian buffer. */
  private ByteBuffer gather(TensorRef t, ByteBuffer storage) {
    int elem = t.storage().dtype().bytes();
    long[] size = t.size();
    long numel = 1;
    for (long s : size) {
      numel *= s;
    }
    long maxIndex = t.offset();
    for (int d = 0; d < size.length; d++) {
      if (size[d] > 0) {
        maxIndex += (size[d] - 1) * t.stride()[d];
      }
    }
    if (numel > 0 && (t.offset() < 0 || maxIndex >= t.storage().numel())) {
      throw new WeightException("corrupt checkpoint " + path + ": tensor view outside its storage");
    }
    ByteBuffer out =
        ByteBuffer.allocateDirect(Math.toIntExact(numel * elem)).order(ByteOrder.LITTLE_ENDIAN);
    long[] idx = new long[size.length];
    byte[] tmp = new byte[elem];
    for (long n = 0; n < numel; n++) {
      long pos = t.offset();
      for (int d = 0; d < size.length; d++) {
        pos += idx[d] * t.stride()[d];
      }
      storage.get(Math.toIntExact(pos * elem), tmp);
      out.put(tmp);
      for (int d = size.length - 1; d >= 0; d--) {
        if (++idx[d] < size[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    out.flip();
    return out;
  }

  @Override
  public void close() {
    try {
      zip.close();
    } catch (IOException e) {
      throw new WeightException("cannot close " + path, e);
    }
  }
}
