package io.pixartdelta.pixart.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Loads a component's parameters from a {@link TensorSource}, strictly: every expected parameter
 * present (directly or through an alias) with the expected shape, and every stored tensor either
 * used or declared ignorable. All problems are reported together, naming the source.
 */
public final class StrictLoader {
  private StrictLoader() {}

  /**
   * Loads every parameter of {@code spec} onto {@code device} as {@code dtype}, one tensor at a
   * time.
   *
   * @param dtypeOf per-parameter override of the target type (e.g. keep T5's {@code wo} in fp32);
   *     {@code null} means {@code dtype} for all
   */
  public static Weights load(
      TensorSource source,
      WeightSpec spec,
      Device device,
      DataType dtype,
      Function<String, DataType> dtypeOf) {
    Map<String, String> resolved = resolve(source, spec);
    NDManager manager = NDManager.newBaseManager(device);
    Map<String, NDArray> params = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, String> e : resolved.entrySet()) {
        DataType target = dtypeOf == null ? dtype : dtypeOf.apply(e.getKey());
        NDArray a = source.load(e.getValue(), manager, target == null ? dtype : target);
        Shape want = spec.expected().get(e.getKey());
        if (!a.getShape().equals(want)) {
          // Known layout difference: 1x1-conv style attention weights [o, i, 1, 1] -> [o, i].
          NDArray r = a.reshape(want);
          a.close();
          a = r;
        }
        a.setName(e.getKey());
        params.put(e.getKey(), a);
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
    manager.cap();
    return new Weights(manager, params);
  }

  /** Same as {@link #load(TensorSource, WeightSpec, Device, DataType, Function)} for one type. */
  public static Weights load(TensorSource source, WeightSpec spec, Device device, DataType dtype) {
    return load(source, spec, device, dtype, null);
  }

  /**
   * Maps every expected parameter to the stored name that provides it, or throws a {@link
   * WeightException} listing every missing, unexpected and mis-shaped tensor.
   */
  public static Map<String, String> resolve(TensorSource source, WeightSpec spec) {
    Map<String, String> resolved = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    List<String> badShape = new ArrayList<>();
    for (Map.Entry<String, Shape> e : spec.expected().entrySet()) {
      String name = e.getKey();
      String stored = null;
      if (source.names().contains(name)) {
        stored = name;
      } else {
        for (String alias : spec.aliasesOf(name)) {
          if (source.names().contains(alias)) {
            stored = alias;
            break;
          }
        }
      }
      if (stored == null) {
        missing.add(name + " " + e.getValue());
        continue;
      }
      Shape have = source.info(stored).shape();
      if (!have.equals(e.getValue()) && !squeezable(have, e.getValue())) {
        badShape.add(stored + " has shape " + have + ", expected " + e.getValue());
        continue;
      }
      resolved.put(name, stored);
    }
    TreeSet<String> unexpected = new TreeSet<>();
    for (String stored : source.names()) {
      if (!resolved.containsValue(stored)
          && !spec.expected().containsKey(stored)
          && !spec.isAlias(stored)
          && !spec.isIgnorable(stored)) {
        unexpected.add(stored);
      }
    }
    if (!missing.isEmpty() || !badShape.isEmpty() || !unexpected.isEmpty()) {
      StringBuilder msg = new StringBuilder("checkpoint ").append(source.describe());
      msg.append(" does not match the model:");
      appendList(msg, "missing", missing);
      appendList(msg, "wrong shape", badShape);
      appendList(msg, "unexpected", new ArrayList<>(unexpected));
      throw new WeightException(msg.toString());
    }
    return resolved;
  }

  /** [o, i, 1, 1] stored where [o, i] is expected (old diffusers VAE attention as 1x1 convs). */
  private static boolean squeezable(Shape have, Shape want) {
    return have.dimension() == want.dimension() + 2
        && have.size() == want.size()
        && have.get(have.dimension() - 1) == 1
        && have.get(have.dimension() - 2) == 1;
  }

  private static void appendList(StringBuilder msg, String label, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    msg.append("\n  ").append(label).append(" (").append(items.size()).append("): ");
    int shown = Math.min(items.size(), 20);
    msg.append(String.join(", ", items.subList(0, shown)));
    if (shown < items.size()) {
      msg.append(", ...");
    }
  }
}
