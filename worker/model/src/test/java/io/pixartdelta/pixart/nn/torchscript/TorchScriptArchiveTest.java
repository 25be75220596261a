package io.pixartdelta.pixart.nn.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

class TorchScriptArchiveTest {
  private static final String SOURCE =
      "class Tiny(Module):\n"
          + "  __parameters__ = []\n"
          + "  __buffers__ = []\n"
          + "  training : bool\n"
          + "  def twice(self: __torch__.Tiny, x: Tensor) -> Tensor:\n"
          + "    return x + x\n";

  @Test
  void archiveHasTheLayoutTorchJitLoadReads() throws IOException {
    Map<String, byte[]> entries = unzip(TorchScriptArchive.write("Tiny", SOURCE));

    assertThat(entries.keySet())
        .containsExactly(
            "Tiny/version", "Tiny/code/__torch__.py", "Tiny/data.pkl", "Tiny/constants.pkl");
    assertThat(new String(entries.get("Tiny/version"), StandardCharsets.US_ASCII))
        .isEqualTo("10\n");
    assertThat(new String(entries.get("Tiny/code/__torch__.py"), StandardCharsets.UTF_8))
        .isEqualTo(SOURCE);
    // PROTO 2, EMPTY_TUPLE, STOP
    assertThat(entries.get("Tiny/constants.pkl")).containsExactly(0x80, 2, ')', '.');
  }

  @Test
  void modulePickleBuildsTheClassInEvalMode() {
    byte[] expected = {
      (byte) 0x80,
      2, // PROTO 2
      'c',
      '_',
      '_',
      't',
      'o',
      'r',
      'c',
      'h',
      '_',
      '_',
      '\n',
      'T',
      'i',
      'n',
      'y',
      '\n', // GLOBAL
      ')',
      (byte) 0x81, // EMPTY_TUPLE, NEWOBJ
      '}',
      '(', // EMPTY_DICT, MARK
      'X',
      8,
      0,
      0,
      0,
      't',
      'r',
      'a',
      'i',
      'n',
      'i',
      'n',
      'g', // BINUNICODE "training"
      (byte) 0x89,
      'u',
      'b',
      '.' // NEWFALSE, SETITEMS, BUILD, STOP
    };
    assertThat(TorchScriptArchive.modulePickle("Tiny")).containsExactly(expected);
  }

  @Test
  void sameSourceGivesSameBytes() {
    assertThat(TorchScriptArchive.write("Tiny", SOURCE))
        .isEqualTo(TorchScriptArchive.write("Tiny", SOURCE));
  }

  @Test
  void rejectsNamesThatAreNotIdentifiersAndSourcesWithoutTheClass() {
    assertThatThrownBy(() -> TorchScriptArchive.write("my-module", SOURCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("className");
    assertThatThrownBy(() -> TorchScriptArchive.write("Other", SOURCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("class Other(Module):");
  }

  private static Map<String, byte[]> unzip(byte[] archive) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        assertThat(e.getMethod()).as(e.getName()).isEqualTo(ZipEntry.STORED);
        entries.put(e.getName(), zip.readAllBytes());
      }
    }
    return entries;
  }
}
