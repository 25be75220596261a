package io.pixartdelta.worker.batch;

/**
 * What jobs must have in common to be rendered in one batch: the latent shape (the resolution after
 * aspect-ratio binning), the step count and sampler (same timesteps), and whether a control branch
 * runs.
 *
 * @param width render width in pixels (after binning)
 * @param height render height in pixels (after binning)
 * @param steps denoising steps
 * @param sampler sampler name, e.g. {@code lcm}
 * @param control true if the ControlNet branch runs
 */
public record ShapeKey(int width, int height, int steps, String sampler, boolean control) {
  public ShapeKey {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "width and height must be >= 1, got " + width + "x" + height);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (sampler == null || sampler.isBlank()) {
      throw new IllegalArgumentException("sampler must not be blank");
    }
  }

  @Override
  public String toString() {
    return width + "x" + height + "/" + steps + "/" + sampler + (control ? "/control" : "");
  }
}
