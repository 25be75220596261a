package io.pixartdelta.pixart.control;

import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.random.TorchGenerator;
import io.pixartdelta.pixart.weights.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes tiny random HED weights with the tensor names of the official {@code ControlNetHED.pth}
 * (see {@link HedConfig#weightSpec()}), as a {@code .safetensors} file, which {@link HedDetector}
 * reads like the {@code .pth}. Seeded: the same seed and widths write the same bytes. For tests and
 * the embedded quick start, where the real 29 MB checkpoint is not available.
 *
 * <p>Values keep activations near unit scale so the sigmoid output is not saturated: the first
 * convolution is scaled down by 128 (its input is 255·image − norm), the others use He scaling N(0,
 * 2/fan_in), projections N(0, 1/fan_in), biases N(0, 0.05²), {@code norm} ≈ 128 ± 20.
 */
public final class TinyHedWriter {
  /** Block widths of the tiny network. */
  public static final HedConfig TINY = new HedConfig(List.of(4, 8, 8, 8, 8));

  private TinyHedWriter() {}

  /** Writes a {@link #TINY} network to {@code file} and returns {@code file}. */
  public static Path write(Path file, long seed) throws IOException {
    return write(file, seed, TINY);
  }

  /** Writes a network with the given widths to {@code file} and returns {@code file}. */
  public static Path write(Path file, long seed, HedConfig config) throws IOException {
    TorchGenerator rng = new TorchGenerator(seed);
    SafetensorsWriter w = new SafetensorsWriter();
    for (Map.Entry<String, Shape> e : config.weightSpec().expected().entrySet()) {
      w.addF32(e.getKey(), e.getValue(), initialValues(e.getKey(), e.getValue(), rng));
    }
    w.write(file);
    return file;
  }

  private static float[] initialValues(String name, Shape shape, TorchGenerator rng) {
    float[] v = rng.randn(shape.getShape());
    double scale;
    double shift = 0;
    long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : 1;
    if (name.equals(HedConfig.NORM)) {
      scale = 20;
      shift = 128;
    } else if (name.endsWith(".bias")) {
      scale = 0.05;
    } else if (name.equals(HedConfig.convName(0, 0) + ".weight")) {
      scale = 1 / (128 * Math.sqrt((double) fanIn));
    } else if (name.contains(".projection.")) {
      scale = 1 / Math.sqrt((double) fanIn);
    } else {
      scale = Math.sqrt(2.0 / fanIn);
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] * scale + shift);
    }
    return v;
  }

  /** Command-line entry: {@code TinyHedWriter FILE [SEED]}. */
  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: TinyHedWriter FILE.safetensors [SEED]");
      System.exit(2);
    }
    try {
      Path file = write(Path.of(args[0]), args.length > 1 ? Long.parseLong(args[1]) : 0L);
      System.out.println("wrote tiny HED weights to " + file.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
