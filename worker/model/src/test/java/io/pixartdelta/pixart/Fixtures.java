package io.pixartdelta.pixart;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.weights.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;

/** Access to the golden fixtures copied from the reference implementation into test resources. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * The fixtures folder on disk: under target/test-classes here; unpacked once per JVM when the
   * fixtures come inside a jar (the pixart-model tests jar of the service and dev tests, or the
   * parity suite's self-contained test jar).
   */
  public static Path root() {
    URL url = Fixtures.class.getResource("/fixtures/manifest.json");
    if (url == null) {
      throw new IllegalStateException("fixtures not on the test classpath");
    }
    return ResourceFolders.parentOnDisk(url);
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
