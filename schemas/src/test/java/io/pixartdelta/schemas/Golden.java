package io.pixartdelta.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Golden sample files under {@code src/test/resources/golden}, read from the test classpath. */
final class Golden {
  private Golden() {}

  /** Every file below {@code folder} (relative to {@code golden/}), sorted. */
  static List<Path> files(String folder) {
    URL url = Golden.class.getClassLoader().getResource("golden/" + folder);
    if (url == null) {
      throw new IllegalStateException("no golden folder " + folder);
    }
    try (Stream<Path> walk = Files.walk(Path.of(url.toURI()))) {
      List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
      if (files.isEmpty()) {
        throw new IllegalStateException("golden folder " + folder + " is empty");
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The content of golden file {@code name} (relative to {@code golden/}). */
  static byte[] bytes(String name) {
    URL url = Golden.class.getClassLoader().getResource("golden/" + name);
    if (url == null) {
      throw new IllegalStateException("no golden file " + name);
    }
    try {
      return read(Path.of(url.toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The expected error code of an invalid sample: the name of its folder. */
  static String expectedCode(Path file) {
    return file.getParent().getFileName().toString();
  }

  /** A short display name: folder and file name. */
  static String label(Path file) {
    return file.getParent().getFileName() + "/" + file.getFileName();
  }
}
