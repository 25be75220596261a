package io.pixartdelta.pixart.text;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Loads a component like {@link StrictLoader} (same strict name and shape checks) but stores the
 * selected (rows, cols) parameters as per-row int8 ({@link Int8Rows}). Quantization happens while
 * loading the ordinary checkpoint, one tensor at a time, so host memory stays bounded by one tensor
 * and device memory by the int8 result plus one tensor's fp32 temporaries.
 *
 * <p>A quantized parameter {@code name} is stored as INT8 under {@code name} and its (rows, 1)
 * scales under {@link #scaleName(String) name + "_scale"}, in the type {@code typeOf} gives the
 * parameter.
 */
final class Int8WeightLoader {
  private static final String SCALE_SUFFIX = "_scale";

  private Int8WeightLoader() {}

  /**
   * Where the scales of quantized parameter {@code name} are kept in the loaded {@link Weights}.
   */
  static String scaleName(String name) {
    return name + SCALE_SUFFIX;
  }

  /**
   * @param typeOf storage type of each full parameter, and of the scales of a quantized one
   * @param quantized which parameters to store as int8 (each must be 2-D)
   */
  static Weights load(
      TensorSource source,
      WeightSpec spec,
      Device device,
      Function<String, DataType> typeOf,
      Predicate<String> quantized) {
    Map<String, String> resolved = StrictLoader.resolve(source, spec);
    NDManager manager = NDManager.newBaseManager(device);
    Map<String, NDArray> params = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, String> e : resolved.entrySet()) {
        String name = e.getKey();
        Shape want = spec.expected().get(name);
        if (!quantized.test(name)) {
          NDArray a = fitted(source.load(e.getValue(), manager, typeOf.apply(name)), want);
          a.setName(name);
          params.put(name, a);
          continue;
        }
        try (NDManager temporary = manager.newSubManager()) {
          NDArray w = fitted(source.load(e.getValue(), temporary, DataType.FLOAT32), want);
          Int8Rows.Quantized q = Int8Rows.quantize(w, typeOf.apply(name));
          q.values().attach(manager);
          q.scales().attach(manager);
          q.values().setName(name);
          q.scales().setName(scaleName(name));
          params.put(name, q.values());
          params.put(scaleName(name), q.scales());
        }
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
    manager.cap();
    return new Weights(manager, params);
  }

  /** The squeezable layouts {@link StrictLoader#resolve} accepts, reshaped to the expected one. */
  private static NDArray fitted(NDArray a, Shape want) {
    if (a.getShape().equals(want)) {
      return a;
    }
    NDArray r = a.reshape(want);
    a.close();
    return r;
  }
}
