package io.pixartdelta.pixart.tools;

import ai.djl.ndarray.types.Shape;

/**
 * Scale and shift of random initial values for a parameter, chosen by name so activations stay in a
 * sane range: norm scales near 1, small biases and tables, other weights ~ N(0, 1/fan_in) like
 * PyTorch's default initialisations. Shared by the tiny-model writer and random benchmark weights.
 */
record RandomInit(double scale, double shift) {

  static RandomInit of(String name, Shape shape) {
    if (name.contains("norm") && name.endsWith(".weight")) {
      return new RandomInit(0.1, 1);
    }
    if (name.endsWith(".bias") || name.contains("relative_attention_bias")) {
      return new RandomInit(0.05, 0);
    }
    if (name.endsWith("scale_shift_table")) {
      return new RandomInit(1 / Math.sqrt((double) shape.get(shape.dimension() - 1)), 0);
    }
    if (name.equals("shared.weight") || name.endsWith("embed_tokens.weight")) {
      return new RandomInit(1, 0);
    }
    long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
    return new RandomInit(1 / Math.sqrt((double) fanIn), 0);
  }
}
