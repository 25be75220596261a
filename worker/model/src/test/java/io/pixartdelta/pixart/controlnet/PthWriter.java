package io.pixartdelta.pixart.controlnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.weights.PthCheckpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes small {@code torch.save}-style zip checkpoints ({@code {"state_dict": OrderedDict(name →
 * float32 tensor)}}, pickle protocol 2) so tests can feed the loaders edited copies of a fixture.
 * Emits only the opcodes and globals torch itself uses for such a file.
 */
final class PthWriter {
  private PthWriter() {}

  /** A contiguous float32 tensor. */
  record Tensor(long[] shape, float[] values) {
    static Tensor zeros(long... shape) {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return new Tensor(shape, new float[Math.toIntExact(n)]);
    }
  }

  /** Every tensor of {@code pth} as float32, in stored order. */
  static Map<String, Tensor> read(Path pth) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (PthCheckpoint ckpt = PthCheckpoint.open(pth);
        NDManager m = NDManager.newBaseManager()) {
      for (String name : ckpt.names()) {
        NDArray a = ckpt.load(name, m, DataType.FLOAT32);
        out.put(name, new Tensor(a.getShape().getShape(), a.toFloatArray()));
        a.close();
      }
    }
    return out;
  }

  static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    String prefix = "archive/";
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(new byte[] {(byte) 0x80, 2, '}'}); // PROTO 2, EMPTY_DICT
    unicode(p, "state_dict");
    global(p, "collections", "OrderedDict");
    p.write(new byte[] {')', 'R'}); // OrderedDict()
    int key = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      long[] shape = e.getValue().shape();
      unicode(p, e.getKey());
      global(p, "torch._utils", "_rebuild_tensor_v2");
      p.write('('); // MARK: arguments
      p.write('('); // MARK: persistent id
      unicode(p, "storage");
      global(p, "torch", "FloatStorage");
      unicode(p, Integer.toString(key));
      unicode(p, "cpu");
      binint(p, e.getValue().values().length);
      p.write(new byte[] {'t', 'Q'}); // TUPLE, BINPERSID
      binint(p, 0); // storage offset
      p.write('(');
      for (long d : shape) {
        binint(p, Math.toIntExact(d));
      }
      p.write('t');
      p.write('(');
      long stride = 1;
      long[] strides = new long[shape.length];
      for (int i = shape.length - 1; i >= 0; i--) {
        strides[i] = stride;
        stride *= shape[i];
      }
      for (long s : strides) {
        binint(p, Math.toIntExact(s));
      }
      p.write('t');
      p.write(0x89); // NEWFALSE: requires_grad
      global(p, "collections", "OrderedDict");
      p.write(new byte[] {')', 'R'}); // backward hooks
      p.write(new byte[] {'t', 'R', 's'}); // TUPLE, REDUCE, SETITEM
      key++;
    }
    p.write(new byte[] {'s', '.'}); // SETITEM state_dict, STOP
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      z.putNextEntry(new ZipEntry(prefix + "data.pkl"));
      z.write(p.toByteArray());
      z.closeEntry();
      key = 0;
      for (Tensor t : tensors.values()) {
        ByteBuffer b =
            ByteBuffer.allocate(t.values().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t.values());
        z.putNextEntry(new ZipEntry(prefix + "data/" + key));
        z.write(b.array());
        z.closeEntry();
        key++;
      }
    }
  }

  private static void unicode(ByteArrayOutputStream p, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    p.write('X');
    binintBytes(p, b.length);
    p.write(b);
  }

  private static void global(ByteArrayOutputStream p, String module, String name)
      throws IOException {
    p.write('c');
    p.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static void binint(ByteArrayOutputStream p, int v) throws IOException {
    p.write('J');
    binintBytes(p, v);
  }

  private static void binintBytes(ByteArrayOutputStream p, int v) throws IOException {
    p.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }
}
