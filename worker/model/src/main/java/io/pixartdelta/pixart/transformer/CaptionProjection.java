package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;

/**
 * Projects text-encoder states to the hidden size: Linear → GELU-tanh → Linear over every caption
 * position, padding included (diffusers {@code PixArtAlphaTextProjection}). Runs in the caller's
 * scope.
 */
final class CaptionProjection {
  private static final String PREFIX = "caption_projection.";

  private final LinearLayer first; // (D, Cc)
  private final LinearLayer second; // (D, D)
  private final Kernels kernels;

  CaptionProjection(Weights weights, Kernels kernels) {
    this.first = LinearLayer.of(weights, PREFIX + "linear_1");
    this.second = LinearLayer.of(weights, PREFIX + "linear_2");
    this.kernels = kernels;
  }

  static void declare(WeightSpec spec, PixArtConfig config) {
    int d = config.innerDim();
    LinearLayer.declare(spec, PREFIX + "linear_1", d, config.captionChannels(), true);
    LinearLayer.declare(spec, PREFIX + "linear_2", d, d, true);
    // A training-only buffer (the null caption) some diffusers versions saved with the model.
    spec.ignore(PREFIX + "y_embedding");
  }

  /** (B, L, Cc) → (B, L, D). */
  NDArray forward(NDArray captions) {
    return second.apply(kernels.geluTanh(first.apply(captions)));
  }
}
