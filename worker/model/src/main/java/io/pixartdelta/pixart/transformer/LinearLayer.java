package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;

/**
 * A fully connected layer over the last axis, {@code y = x·Wᵀ + b}, holding references to weights
 * owned by a capped manager. The activation is always the first operand, so results land in the
 * caller's manager.
 *
 * @param weight (out, in)
 * @param bias (out), or {@code null} for a bias-free layer
 */
record LinearLayer(NDArray weight, NDArray bias) {

  /** Declares {@code prefix.weight} (out, in) and, if {@code withBias}, {@code prefix.bias}. */
  static void declare(WeightSpec spec, String prefix, long out, long in, boolean withBias) {
    spec.expect(prefix + ".weight", out, in);
    if (withBias) {
      spec.expect(prefix + ".bias", out);
    }
  }

  /** The layer stored under {@code prefix}; the bias is used if the weights have one. */
  static LinearLayer of(Weights weights, String prefix) {
    String biasName = prefix + ".bias";
    return new LinearLayer(
        weights.get(prefix + ".weight"), weights.has(biasName) ? weights.get(biasName) : null);
  }

  /** (…, in) → (…, out). */
  NDArray apply(NDArray x) {
    return bias == null
        ? Linear.linear(x, weight).singletonOrThrow()
        : Linear.linear(x, weight, bias).singletonOrThrow();
  }
}
