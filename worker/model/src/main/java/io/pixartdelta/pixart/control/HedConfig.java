package io.pixartdelta.pixart.control;

import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.WeightSpec;
import java.util.List;

/**
 * The channel widths of the five blocks of {@code ControlNetHED_Apache2} (PixArt-alpha @cac2fd3b
 * {@code diffusion/model/hed.py}). The layout is fixed (3-channel input, {@link #LAYERS} 3×3
 * convolutions per block, a 1×1 projection to one channel); only the widths vary, so tiny test
 * networks use the same code as the real one.
 *
 * @param widths output channels of block 1..5; the official network has 64, 128, 256, 512, 512
 */
public record HedConfig(List<Integer> widths) {
  /** Number of blocks. */
  public static final int BLOCKS = 5;

  /** Convolutions per block (block 1..5), fixed by the architecture. */
  public static final List<Integer> LAYERS = List.of(2, 2, 3, 3, 3);

  /** Input channels: RGB. */
  public static final int IN_CHANNELS = 3;

  /** The (1, 3, 1, 1) offset subtracted from the 0–255 input. */
  static final String NORM = "norm";

  public HedConfig {
    if (widths == null || widths.size() != BLOCKS) {
      throw new IllegalArgumentException("widths must list " + BLOCKS + " block widths");
    }
    for (Integer w : widths) {
      if (w == null || w <= 0) {
        throw new IllegalArgumentException("widths must be positive, got " + widths);
      }
    }
    widths = List.copyOf(widths);
  }

  /** The published {@code ControlNetHED.pth}: 64, 128, 256, 512, 512. */
  public static HedConfig official() {
    return new HedConfig(List.of(64, 128, 256, 512, 512));
  }

  /**
   * The widths a checkpoint was saved with, read from the shapes of {@code block{k}.convs.0.weight}
   * (out, in, 3, 3). The full strict check against {@link #weightSpec()} happens at load time.
   *
   * @throws WeightException if a first convolution is missing or not a 4-D tensor
   */
  public static HedConfig fromShapes(TensorSource source) {
    Integer[] widths = new Integer[BLOCKS];
    for (int k = 0; k < BLOCKS; k++) {
      String name = convName(k, 0) + ".weight";
      if (!source.names().contains(name)) {
        throw new WeightException(
            "checkpoint " + source.describe() + " is not a HED network: it lacks " + name);
      }
      Shape s = source.info(name).shape();
      if (s.dimension() != 4) {
        throw new WeightException(
            "checkpoint " + source.describe() + ": " + name + " has shape " + s + ", not 4-D");
      }
      widths[k] = Math.toIntExact(s.get(0));
    }
    return new HedConfig(List.of(widths));
  }

  /** Output channels of block {@code k} (0-based). */
  public int width(int k) {
    return widths.get(k);
  }

  /** Input channels of block {@code k} (0-based). */
  public int inChannels(int k) {
    return k == 0 ? IN_CHANNELS : widths.get(k - 1);
  }

  /**
   * Every tensor of the network with its shape, in the official key layout: {@code norm} (1, 3, 1,
   * 1); {@code block{k}.convs.{i}.weight/bias} and {@code block{k}.projection.weight/bias}.
   */
  public WeightSpec weightSpec() {
    WeightSpec spec = new WeightSpec();
    spec.expect(NORM, 1, IN_CHANNELS, 1, 1);
    for (int k = 0; k < BLOCKS; k++) {
      int out = width(k);
      for (int i = 0; i < LAYERS.get(k); i++) {
        int in = i == 0 ? inChannels(k) : out;
        spec.expect(convName(k, i) + ".weight", out, in, 3, 3);
        spec.expect(convName(k, i) + ".bias", out);
      }
      spec.expect(projectionName(k) + ".weight", 1, out, 1, 1);
      spec.expect(projectionName(k) + ".bias", 1);
    }
    return spec;
  }

  /** {@code block{k+1}.convs.{i}}. */
  static String convName(int k, int i) {
    return "block" + (k + 1) + ".convs." + i;
  }

  /** {@code block{k+1}.projection}. */
  static String projectionName(int k) {
    return "block" + (k + 1) + ".projection";
  }
}
