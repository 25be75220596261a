package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.x/2.x, C order, little-endian): read initial latents made
 * elsewhere, write final latents for comparison, and read golden fixtures in tests.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /**
   * A decoded array: element type, shape and the raw little-endian data.
   *
   * @param descr NumPy type string, e.g. {@code <f4}
   * @param shape dimensions
   * @param data raw data, little-endian, positioned at 0
   */
  public record Array(String descr, Shape shape, ByteBuffer data) {
    public Array {
      data = data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public StoredType storedType() {
      return typeOf(descr);
    }

    /** The values as floats (f2/f4/f8/ints converted). */
    public float[] toFloatArray() {
      int n = Math.toIntExact(shape.size());
      float[] out = new float[n];
      ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        switch (storedType()) {
          case F32:
            out[i] = b.getFloat();
            break;
          case F16:
            out[i] = Float16.toFloat(b.getShort());
            break;
          case F64:
            out[i] = (float) b.getDouble();
            break;
          case I64:
            out[i] = b.getLong();
            break;
          case I32:
            out[i] = b.getInt();
            break;
          case U8:
          case BOOL:
            out[i] = b.get() & 0xFF;
            break;
          case I8:
            out[i] = b.get();
            break;
          default:
            throw new IllegalStateException("cannot read " + descr + " as float");
        }
      }
      return out;
    }

    /** The values as longs (integer types only). */
    public long[] toLongArray() {
      int n = Math.toIntExact(shape.size());
      long[] out = new long[n];
      ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        switch (storedType()) {
          case I64:
            out[i] = b.getLong();
            break;
          case I32:
            out[i] = b.getInt();
            break;
          case U8:
          case BOOL:
            out[i] = b.get() & 0xFF;
            break;
          case I8:
            out[i] = b.get();
            break;
          default:
            throw new IllegalStateException("cannot read " + descr + " as integers");
        }
      }
      return out;
    }

    /** Creates the array on {@code manager}'s device, cast to {@code target} (null: as stored). */
    public NDArray toNDArray(NDManager manager, DataType target) {
      TensorInfo info =
          new TensorInfo("npy", Path.of("npy"), storedType(), shape, 0, data.remaining());
      return TensorBytes.toNDArray(info, data, manager, target);
    }
  }

  /** Reads a {@code .npy} file. */
  public static Array read(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return read(in, path.toString());
    }
  }

  /** Reads a {@code .npy} stream; {@code name} is used in error messages. */
  public static Array read(InputStream in, String name) throws IOException {
    byte[] all = in.readAllBytes();
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC)) {
      throw new IOException(name + " is not a .npy file");
    }
    int major = all[6];
    b.position(8);
    int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    int start = b.position();
    if (start + headerLen > all.length) {
      throw new IOException(name + ": truncated .npy header");
    }
    String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, name);
    if (group(FORTRAN, header, name).equals("True")) {
      throw new IOException(name + ": Fortran-order arrays are not supported");
    }
    String dims = group(SHAPE, header, name).trim();
    long[] shape =
        dims.isEmpty()
            ? new long[0]
            : Arrays.stream(dims.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong)
                .toArray();
    Shape s = new Shape(shape);
    StoredType type = typeOf(descr);
    long bytes = s.size() * type.bytes();
    int dataStart = start + headerLen;
    if (dataStart + bytes > all.length) {
      throw new IOException(name + ": truncated .npy data");
    }
    ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    data.put(all, dataStart, (int) bytes).flip();
    return new Array(descr, s, data);
  }

  private static String group(Pattern p, String header, String name) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException(name + ": bad .npy header " + header);
    }
    return m.group(1);
  }

  static StoredType typeOf(String descr) {
    switch (descr) {
      case "<f4":
        return StoredType.F32;
      case "<f2":
        return StoredType.F16;
      case "<f8":
        return StoredType.F64;
      case "<i8":
        return StoredType.I64;
      case "<i4":
        return StoredType.I32;
      case "|i1":
        return StoredType.I8;
      case "|u1":
        return StoredType.U8;
      case "|b1":
        return StoredType.BOOL;
      default:
        throw new IllegalArgumentException("unsupported .npy dtype " + descr);
    }
  }

  private static String descrOf(DataType type) {
    switch (type) {
      case FLOAT32:
        return "<f4";
      case FLOAT16:
        return "<f2";
      case FLOAT64:
        return "<f8";
      case INT64:
        return "<i8";
      case INT32:
        return "<i4";
      case INT8:
        return "|i1";
      case UINT8:
        return "|u1";
      case BOOLEAN:
        return "|b1";
      default:
        throw new IllegalArgumentException("cannot write " + type + " to .npy");
    }
  }

  /** Writes {@code array} (copied to the host) as a version 1.0 {@code .npy} file. */
  public static void write(Path path, NDArray array) throws IOException {
    ByteBuffer data = array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    write(path, descrOf(array.getDataType()), array.getShape(), data);
  }

  /** Writes raw little-endian {@code data} with the given NumPy type string and shape. */
  public static void write(Path path, String descr, Shape shape, ByteBuffer data)
      throws IOException {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.dimension(); i++) {
      dims.append(shape.get(i))
          .append(shape.dimension() == 1 ? "," : i + 1 < shape.dimension() ? ", " : "");
    }
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    int total = 10 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    String padded = header + " ".repeat(pad) + "\n";
    ByteBuffer out =
        ByteBuffer.allocate(10 + padded.length() + data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) padded.length());
    out.put(padded.getBytes(StandardCharsets.ISO_8859_1));
    out.put(data.duplicate());
    Files.write(path, out.array());
  }
}
