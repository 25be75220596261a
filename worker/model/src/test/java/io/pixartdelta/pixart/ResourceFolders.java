package io.pixartdelta.pixart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Test resource folders as plain files. Other modules get this module's test resources inside the
 * pixart-model tests jar; a folder read from there is unpacked once per JVM into a temporary folder
 * that is deleted at exit.
 */
final class ResourceFolders {
  private static final Map<URI, Path> UNPACKED = new HashMap<>();

  private ResourceFolders() {}

  /** The folder holding {@code resource}, on disk. */
  static synchronized Path parentOnDisk(URL resource) {
    URI uri;
    try {
      uri = resource.toURI();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    if (!"jar".equals(uri.getScheme())) {
      return Path.of(uri).getParent();
    }
    return UNPACKED.computeIfAbsent(uri, ResourceFolders::unpackParent);
  }

  private static Path unpackParent(URI inJar) {
    try {
      Path target = Files.createTempDirectory("pixart-test-resources");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(target)));
      try (FileSystem jar = FileSystems.newFileSystem(inJar, Map.of());
          Stream<Path> files = Files.walk(jar.provider().getPath(inJar).getParent())) {
        Path folder = null;
        for (Path file : (Iterable<Path>) files::iterator) {
          Path copy = target.resolve(file.toString().substring(1));
          folder = folder == null ? copy : folder;
          if (Files.isDirectory(file)) {
            Files.createDirectories(copy);
          } else {
            Files.copy(file, copy);
          }
        }
        return folder;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the test resources at " + inJar, e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary folder left behind: nothing more to do at exit.
    }
  }
}
