package io.pixartdelta.pixart;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.weights.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Access to the golden fixtures copied from the reference implementation into test resources. */
public final class Fixtures {
  private Fixtures() {}

  private static Path extracted;

  /**
   * The fixtures folder on disk: under target/test-classes in a Maven build; when they come inside
   * the parity test jar (pixart-model-tests.jar), a copy in a temporary folder made on first use,
   * since the models read their weights from files.
   */
  public static synchronized Path root() {
    URL url = Fixtures.class.getResource("/fixtures/manifest.json");
    if (url == null) {
      throw new IllegalStateException("fixtures not on the test classpath");
    }
    try {
      if (!url.getProtocol().equals("jar")) {
        return Path.of(url.toURI()).getParent();
      }
      if (extracted == null) {
        JarURLConnection jar = (JarURLConnection) url.openConnection();
        extracted = extract(Path.of(jar.getJarFileURL().toURI()));
      }
      return extracted;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies the jar's {@code fixtures/} entries into a temporary folder, removed at exit. */
  private static Path extract(Path jar) throws IOException {
    Path dir = Files.createTempDirectory("pixart-fixtures");
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry entry : Collections.list(zip.entries())) {
        if (!entry.getName().startsWith("fixtures/") || entry.isDirectory()) {
          continue;
        }
        Path target = dir.resolve(entry.getName()).normalize();
        if (!target.startsWith(dir)) {
          throw new IOException("entry outside the fixtures folder: " + entry.getName());
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = zip.getInputStream(entry)) {
          Files.copy(in, target);
        }
      }
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try (Stream<Path> all = Files.walk(dir)) {
                    all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                  } catch (IOException e) {
                    // best effort: a leftover temporary folder is harmless
                  }
                }));
    return dir.resolve("fixtures");
  }

  /** {@code fixtures/<relative>}. */
  public static Path path(String relative) {
    return root().resolve(relative);
  }

  /** The tiny PixArt-LCM checkpoint in the real diffusers layout. */
  public static Path tinyModel() {
    return path("model");
  }

  /** Reads {@code fixtures/<relative>} as a .npy array. */
  public static Npy.Array npy(String relative) {
    try {
      return Npy.read(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@code fixtures/<relative>} into {@code manager} as float32 (or as stored if ints). */
  public static NDArray array(NDManager manager, String relative) {
    Npy.Array a = npy(relative);
    DataType target =
        a.descr().contains("f") ? DataType.FLOAT32 : null; // ids/masks/timesteps stay int64
    return a.toNDArray(manager, target);
  }
}
