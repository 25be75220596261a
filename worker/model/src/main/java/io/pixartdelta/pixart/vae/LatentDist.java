package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The encoder's diagonal Gaussian over latents (diffusers' {@code DiagonalGaussianDistribution}),
 * not yet multiplied by the scaling factor. All three arrays are (B, L, h, w) and owned by the
 * manager of the encoded image.
 *
 * @param mean channels 0..L−1 of the moments
 * @param logvar channels L..2L−1, clamped to [−30, 20]
 * @param std {@code exp(0.5·logvar)}
 */
public record LatentDist(NDArray mean, NDArray logvar, NDArray std) {
  public LatentDist {
    if (mean == null || logvar == null || std == null) {
      throw new IllegalArgumentException("mean, logvar and std are required");
    }
    if (!mean.getShape().equals(logvar.getShape()) || !mean.getShape().equals(std.getShape())) {
      throw new IllegalArgumentException(
          "mean "
              + mean.getShape()
              + ", logvar "
              + logvar.getShape()
              + " and std "
              + std.getShape()
              + " must have the same shape");
    }
  }

  /** The deterministic latent: the mean. */
  public NDArray mode() {
    return mean;
  }

  /**
   * {@code mean + std·noise}, the stochastic latent.
   *
   * @param noise standard normal draws, (B, L, h, w); the result is attached to its manager
   */
  public NDArray sample(NDArray noise) {
    if (!noise.getShape().equals(mean.getShape())) {
      throw new IllegalArgumentException(
          "noise has shape " + noise.getShape() + ", expected " + mean.getShape());
    }
    try (NDManager scope = NDManager.subManagerOf(noise)) {
      scope.tempAttachAll(noise);
      NDArray eps = noise.toType(mean.getDataType(), false); // (B, L, h, w)
      return scope.ret(eps.mul(std).add(mean)); // (B, L, h, w)
    }
  }
}
