package io.pixartdelta.pixart.control;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.pixartdelta.pixart.weights.PthCheckpoint;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The HED edge detector of the official PixArt-δ ControlNet preprocessing ({@code
 * ControlNetHED_Apache2} and {@code HEDdetector.forward}, PixArt-alpha @cac2fd3b {@code
 * diffusion/model/hed.py}; weights {@code ControlNetHED.pth}).
 *
 * <p>Forward: x = 255·image − norm; five blocks ({@link HedBlock}), blocks 2–5 starting with a 2×2
 * max-pool, each emitting a one-channel side output; every side output is resized bilinearly
 * (align_corners=False) to the input size; edge = clamp(sigmoid(mean of the five), 0, 1). No
 * thresholding or thinning.
 *
 * <p>Shapes: B batch, H×W image size. The channel widths come from the checkpoint's tensor shapes
 * ({@link HedConfig#fromShapes}), the layout is checked strictly. Inputs are moved to the model's
 * device and dtype; the result is in the model's dtype, attached to the input's manager.
 * Thread-safe: the weights are read-only and each call works in its own managers.
 */
public final class HedDetector implements AutoCloseable {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private final HedConfig config;
  private final Weights weights;
  private final Device device;
  private final DataType dtype;
  private final NDArray norm; // (1, 3, 1, 1)
  private final List<HedBlock> blocks = new ArrayList<>();

  private HedDetector(HedConfig config, Weights weights, Device device, DataType dtype) {
    this.config = config;
    this.weights = weights;
    this.device = device;
    this.dtype = dtype;
    this.norm = weights.get(HedConfig.NORM);
    for (int k = 0; k < HedConfig.BLOCKS; k++) {
      blocks.add(new HedBlock(weights, k));
    }
  }

  /**
   * Loads the network from a {@code torch.save} state dict ({@code ControlNetHED.pth}, fp16 or
   * fp32, read without executing pickle code) or from a {@code .safetensors} file with the same
   * tensor names; the format is recognised from the file's first bytes.
   *
   * @param dtype parameter and compute type: FLOAT32 on the CPU, FLOAT16 is fine on a GPU
   * @throws WeightException if the file is missing, unreadable or not this network
   */
  public static HedDetector load(Path file, Device device, DataType dtype) {
    Weights weights;
    HedConfig config;
    try (TensorSource source = open(file)) {
      config = HedConfig.fromShapes(source);
      weights = StrictLoader.load(source, config.weightSpec(), device, dtype);
    }
    try {
      return new HedDetector(config, weights, device, dtype);
    } catch (RuntimeException e) {
      weights.close();
      throw e;
    }
  }

  private static TensorSource open(Path file) {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(ZIP_MAGIC.length);
    } catch (IOException e) {
      throw new WeightException("cannot read HED weights " + file + ": " + e, e);
    }
    boolean zip = head.length == ZIP_MAGIC.length;
    for (int i = 0; zip && i < head.length; i++) {
      zip = head[i] == ZIP_MAGIC[i];
    }
    return zip ? PthCheckpoint.open(file) : SafetensorsFile.open(file);
  }

  public HedConfig config() {
    return config;
  }

  /**
   * Edge probabilities of a batch of images.
   *
   * @param image (B, 3, H, W) RGB in [0, 1]
   * @return (B, 1, H, W) in [0, 1]
   */
  public NDArray detect(NDArray image) {
    Shape s = image.getShape();
    if (s.dimension() != 4 || s.get(1) != HedConfig.IN_CHANNELS || s.get(0) == 0) {
      throw new IllegalArgumentException("image must be (B, 3, H, W) with B > 0, got " + s);
    }
    int height = Math.toIntExact(s.get(2));
    int width = Math.toIntExact(s.get(3));
    try (NDManager scope = image.getManager().newSubManager()) {
      scope.tempAttachAll(image);
      NDArray h =
          image.toDevice(device, false).toType(dtype, false).mul(255f).sub(norm); // (B, 3, H, W)
      NDManager held = null; // owns the current block's features, freed once the next exists
      NDArray sum = null; // (B, 1, H, W)
      try {
        for (HedBlock block : blocks) {
          NDManager next = scope.newSubManager();
          NDArray side;
          try (NDManager work = scope.newSubManager()) {
            work.tempAttachAll(h);
            NDList out = block.forward(h); // [(B, O, h', w'), (B, 1, h', w')]
            next.attachAll(out);
            h = out.get(0);
            side = out.get(1);
          }
          if (held != null) {
            held.close();
          }
          held = next;
          NDArray up = BilinearUpsample.resize(side, height, width); // (B, 1, H, W)
          scope.attachAll(up);
          if (sum == null) {
            sum = up;
          } else {
            NDArray total = sum.add(up);
            sum.close();
            up.close();
            sum = total;
          }
        }
      } finally {
        if (held != null) {
          held.close();
        }
      }
      NDArray mean = sum.div((float) HedConfig.BLOCKS); // (B, 1, H, W)
      return scope.ret(Activation.sigmoid(mean).clip(0f, 1f)); // (B, 1, H, W)
    }
  }

  /** The capped manager owning the parameters (leak checks in tests). */
  NDManager weightsManager() {
    return weights.manager();
  }

  /** Frees the weights. */
  @Override
  public void close() {
    weights.close();
  }
}
