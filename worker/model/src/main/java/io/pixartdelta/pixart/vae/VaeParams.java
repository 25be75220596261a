package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;

/**
 * Where the VAE layers get their parameters. Every layer names its tensors exactly once, in its
 * constructor; built over {@link #declaring} the same constructors produce the {@link WeightSpec}
 * (and receive {@code null}s), built over {@link #bound} they receive the loaded tensors.
 */
interface VaeParams {

  /** The tensor {@code name} of the given shape (null while declaring). */
  NDArray get(String name, long... shape);

  /**
   * Same as {@link #get(String, long...)} for a tensor that older checkpoints store under {@code
   * oldName}, possibly as a [o, i, 1, 1] 1×1-conv weight (the loader squeezes it).
   */
  NDArray getOrOld(String name, String oldName, long... shape);

  /** Records every requested tensor (and its old name) in {@code spec}. */
  static VaeParams declaring(WeightSpec spec) {
    return new VaeParams() {
      @Override
      public NDArray get(String name, long... shape) {
        spec.expect(name, shape);
        return null;
      }

      @Override
      public NDArray getOrOld(String name, String oldName, long... shape) {
        spec.expect(name, shape).alias(name, oldName);
        return null;
      }
    };
  }

  /** Hands out the tensors of {@code weights} (already checked against the declared spec). */
  static VaeParams bound(Weights weights) {
    return new VaeParams() {
      @Override
      public NDArray get(String name, long... shape) {
        return weights.get(name);
      }

      @Override
      public NDArray getOrOld(String name, String oldName, long... shape) {
        return weights.get(name);
      }
    };
  }
}
