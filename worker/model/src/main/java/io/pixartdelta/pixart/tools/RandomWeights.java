package io.pixartdelta.pixart.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.weights.StoredType;
import io.pixartdelta.pixart.weights.TensorInfo;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.WeightSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A {@link TensorSource} that makes every tensor of a {@link WeightSpec} with random values drawn
 * directly on the target device — the real architecture without a checkpoint, so throughput can be
 * measured on a GPU with no files. Values follow {@link RandomInit}; they are not reproducible
 * across devices and are for benchmarks only.
 */
public final class RandomWeights implements TensorSource {
  private final Map<String, Shape> shapes;
  private final String label;

  public RandomWeights(WeightSpec spec, String label) {
    this.shapes = spec.expected();
    this.label = label;
  }

  @Override
  public Set<String> names() {
    return shapes.keySet();
  }

  @Override
  public TensorInfo info(String name) {
    Shape shape = shapes.get(name);
    if (shape == null) {
      throw new WeightException("tensor " + name + " not in " + label);
    }
    return new TensorInfo(name, Path.of(label), StoredType.F32, shape, 0, shape.size() * 4);
  }

  @Override
  public String describe() {
    return label;
  }

  @Override
  public NDArray load(String name, NDManager manager, DataType target) {
    Shape shape = info(name).shape();
    RandomInit init = RandomInit.of(name, shape);
    NDArray values =
        manager.randomNormal(
            (float) init.shift(), (float) init.scale(), shape, DataType.FLOAT32); // on device
    if (target == null || target == DataType.FLOAT32) {
      return values;
    }
    NDArray cast = values.toType(target, false);
    values.close();
    return cast;
  }

  @Override
  public void close() {}
}
