package io.pixartdelta.pixart.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes what {@code torch.save(model.state_dict(), path)} writes for half-precision tensors: a zip
 * with {@code archive/data.pkl} (protocol 2: an OrderedDict of {@code
 * torch._utils._rebuild_tensor_v2(persistent storage, 0, size, stride, False, OrderedDict())}) and
 * one {@code archive/data/<key>} file of raw little-endian fp16 bytes per tensor. The official
 * {@code ControlNetHED.pth} has this layout.
 */
final class TorchStateDictWriter {
  /**
   * One tensor.
   *
   * @param shape dimensions (contiguous, row-major)
   * @param halfBytes little-endian IEEE half-precision values
   */
  record HalfTensor(long[] shape, byte[] halfBytes) {}

  private TorchStateDictWriter() {}

  static void write(Path file, Map<String, HalfTensor> tensors) throws IOException {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(new byte[] {(byte) 0x80, 2});
    global(p, "collections", "OrderedDict");
    p.write(new byte[] {')', 'R', '('});
    int key = 0;
    for (Map.Entry<String, HalfTensor> e : tensors.entrySet()) {
      long[] shape = e.getValue().shape();
      long numel = 1;
      for (long d : shape) {
        numel *= d;
      }
      unicode(p, e.getKey());
      global(p, "torch._utils", "_rebuild_tensor_v2");
      p.write('(');
      p.write('(');
      unicode(p, "storage");
      global(p, "torch", "HalfStorage");
      unicode(p, Integer.toString(key++));
      unicode(p, "cpu");
      binInt(p, numel);
      p.write('t');
      p.write('Q'); // BINPERSID
      binInt(p, 0); // storage offset
      p.write('(');
      for (long d : shape) {
        binInt(p, d);
      }
      p.write('t');
      p.write('(');
      long stride = numel;
      for (long d : shape) {
        stride /= Math.max(d, 1);
        binInt(p, stride);
      }
      p.write('t');
      p.write(0x89); // requires_grad = False
      global(p, "collections", "OrderedDict");
      p.write(new byte[] {')', 'R', 't', 'R'});
    }
    p.write(new byte[] {'u', '.'});

    try (OutputStream raw = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(raw)) {
      zip.putNextEntry(new ZipEntry("archive/data.pkl"));
      zip.write(p.toByteArray());
      zip.closeEntry();
      int k = 0;
      for (HalfTensor t : tensors.values()) {
        zip.putNextEntry(new ZipEntry("archive/data/" + k++));
        zip.write(t.halfBytes());
        zip.closeEntry();
      }
      zip.putNextEntry(new ZipEntry("archive/version"));
      zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
      zip.closeEntry();
    }
  }

  private static void global(ByteArrayOutputStream p, String module, String name) {
    p.write('c');
    p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static void unicode(ByteArrayOutputStream p, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    p.write('X');
    p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
    p.writeBytes(b);
  }

  private static void binInt(ByteArrayOutputStream p, long v) {
    p.write('J');
    p.writeBytes(
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Math.toIntExact(v)).array());
  }
}
