package io.pixartdelta.pixart;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.cli.Devices;
import java.util.Locale;

/**
 * The device and compute type the fixture parity tests (tag {@code parity}) run on, from the system
 * properties {@code pixart.test.device} ({@code cpu} by default; {@code gpu:0}, {@code cuda:1} …)
 * and {@code pixart.test.dtype} ({@code fp32} by default, or {@code fp16}). The defaults keep CI on
 * the CPU in fp32, where the fixtures' own tolerances apply; see {@link HalfPrecisionBound} for
 * fp16.
 */
public final class TestDevice {
  public static final String DEVICE_PROPERTY = "pixart.test.device";
  public static final String DTYPE_PROPERTY = "pixart.test.dtype";

  private TestDevice() {}

  /** The device under test; a GPU must be visible to the loaded PyTorch engine. */
  public static Device device() {
    Device device = Devices.parse(System.getProperty(DEVICE_PROPERTY, "cpu"));
    if (device.isGpu()) {
      int visible = Engine.getEngine("PyTorch").getGpuCount();
      if (device.getDeviceId() >= visible) {
        throw new IllegalStateException(
            DEVICE_PROPERTY
                + "="
                + System.getProperty(DEVICE_PROPERTY)
                + " but the PyTorch engine sees "
                + visible
                + " GPU(s): is a CUDA libtorch loaded (not the jar's CPU build)?");
      }
    }
    return device;
  }

  /** The compute type of the loaded models: FLOAT32 or FLOAT16. */
  public static DataType dtype() {
    String name = System.getProperty(DTYPE_PROPERTY, "fp32").trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "fp32", "float32" -> DataType.FLOAT32;
      case "fp16", "float16", "half" -> DataType.FLOAT16;
      default ->
          throw new IllegalArgumentException(
              "unknown " + DTYPE_PROPERTY + " '" + name + "': use fp32 or fp16");
    };
  }

  /** True when the models run in fp16 and {@link HalfPrecisionBound}s replace the fixtures'. */
  public static boolean half() {
    return dtype() == DataType.FLOAT16;
  }

  /** True for the CI configuration (CPU, fp32). */
  public static boolean isDefault() {
    return !device().isGpu() && !half();
  }

  /** A new base manager on the device under test. */
  public static NDManager newManager() {
    return NDManager.newBaseManager(device());
  }

  /** {@code array} in the compute type (a model input such as latents or a timestep). */
  public static NDArray compute(NDArray array) {
    return array.toType(dtype(), false);
  }

  /** E.g. {@code "gpu(0) fp16"}, for messages. */
  public static String describe() {
    return device() + " " + (half() ? "fp16" : "fp32");
  }
}
