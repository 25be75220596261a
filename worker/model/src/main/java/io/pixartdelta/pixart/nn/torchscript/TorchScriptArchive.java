package io.pixartdelta.pixart.nn.torchscript;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive (the zip {@code torch.jit.load} reads) for a parameterless module
 * whose only content is class source text. libtorch compiles that source when the archive is
 * loaded.
 *
 * <p>Layout, all entries stored uncompressed under one folder named after the class:
 *
 * <ul>
 *   <li>{@code version}: the file-format version as decimal text. Version 10 is the newest libtorch
 *       2.x reads; older numbers would make the loader apply upgraders meant for old operator
 *       schemas (for example integer division semantics).
 *   <li>{@code code/__torch__.py}: the source. The type {@code __torch__.<Class>} is looked up in
 *       this file.
 *   <li>{@code data.pkl}: a protocol-2 pickle of the module object: {@code GLOBAL '__torch__
 *       <Class>'}, an empty argument tuple, {@code NEWOBJ}, then {@code BUILD} with the state dict
 *       {@code {'training': False}}. The loader sets every attribute the class declares from that
 *       dict, so the class must declare exactly {@code training : bool} and nothing else.
 *   <li>{@code constants.pkl}: the pickled empty tuple (no tensor constants).
 * </ul>
 */
public final class TorchScriptArchive {
  /** The serialization format version written to {@code version}. */
  public static final int FILE_FORMAT_VERSION = 10;

  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  // Pickle opcodes (Python's pickletools names).
  private static final int PROTO = 0x80;
  private static final int GLOBAL = 'c';
  private static final int EMPTY_TUPLE = ')';
  private static final int NEWOBJ = 0x81;
  private static final int EMPTY_DICT = '}';
  private static final int MARK = '(';
  private static final int BINUNICODE = 'X';
  private static final int NEWFALSE = 0x89;
  private static final int SETITEMS = 'u';
  private static final int BUILD = 'b';
  private static final int STOP = '.';

  private TorchScriptArchive() {}

  /**
   * The archive bytes for class {@code className} defined in {@code source}.
   *
   * @throws IllegalArgumentException if the name is not an identifier or the source does not define
   *     {@code class <className>(Module):} at the start of a line
   */
  public static byte[] write(String className, String source) {
    requireClass(className, source);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      String root = className + "/";
      // The reader takes the folder of the FIRST entry as the archive name.
      store(zip, root + "version", ascii(FILE_FORMAT_VERSION + "\n"));
      store(zip, root + "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
      store(zip, root + "data.pkl", modulePickle(className));
      store(zip, root + "constants.pkl", emptyTuplePickle());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory streams do not fail
    }
    return bytes.toByteArray();
  }

  /** Protocol-2 pickle of an instance of {@code __torch__.<className>} in eval mode. */
  static byte[] modulePickle(String className) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(PROTO);
    p.write(2);
    p.write(GLOBAL);
    p.writeBytes(ascii("__torch__\n" + className + "\n"));
    p.write(EMPTY_TUPLE);
    p.write(NEWOBJ);
    p.write(EMPTY_DICT);
    p.write(MARK);
    writeString(p, "training");
    p.write(NEWFALSE);
    p.write(SETITEMS);
    p.write(BUILD);
    p.write(STOP);
    return p.toByteArray();
  }

  /** Protocol-2 pickle of {@code ()}. */
  static byte[] emptyTuplePickle() {
    return new byte[] {(byte) PROTO, 2, EMPTY_TUPLE, STOP};
  }

  private static void requireClass(String className, String source) {
    if (className == null || !IDENTIFIER.matcher(className).matches()) {
      throw new IllegalArgumentException("className is not an identifier: " + className);
    }
    if (source == null) {
      throw new IllegalArgumentException("source is null");
    }
    Pattern header =
        Pattern.compile(
            "^class\\s+" + className + "\\s*\\(\\s*Module\\s*\\)\\s*:", Pattern.MULTILINE);
    if (!header.matcher(source).find()) {
      throw new IllegalArgumentException(
          "source does not define 'class " + className + "(Module):' at the start of a line");
    }
  }

  private static void writeString(ByteArrayOutputStream p, String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    p.write(BINUNICODE);
    for (int i = 0; i < 4; i++) {
      p.write((utf8.length >>> (8 * i)) & 0xFF); // little-endian length
    }
    p.writeBytes(utf8);
  }

  private static void store(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setTimeLocal(FIXED_TIME); // same source, same bytes
    entry.setSize(data.length);
    entry.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(data);
    zip.closeEntry();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
