package io.pixartdelta.worker.batch;

import io.pixartdelta.pixart.schedulers.SchedulerKind;
import java.util.Objects;

/**
 * What jobs must have in common to be rendered in one batch, which is what one pipeline call
 * shares: the latent shape (the render size after aspect-ratio binning), the step count and
 * scheduler (same timesteps), the guidance scale (one doubled batch), and whether a control branch
 * runs and at which conditioning scale. Scales are compared exactly as the pipeline receives them
 * (float), never folded into one number.
 *
 * @param width render width in pixels (after binning)
 * @param height render height in pixels (after binning)
 * @param steps denoising steps
 * @param scheduler the model's scheduler
 * @param guidanceScale classifier-free guidance scale the pipeline runs with
 * @param controlScale ControlNet conditioning scale, or null when no control branch runs
 */
public record BatchKey(
    int width,
    int height,
    int steps,
    SchedulerKind scheduler,
    float guidanceScale,
    Float controlScale) {
  public BatchKey {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "width and height must be >= 1, got " + width + "x" + height);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    Objects.requireNonNull(scheduler, "scheduler");
  }

  /** True if the ControlNet branch runs. */
  public boolean control() {
    return controlScale != null;
  }

  @Override
  public String toString() {
    return width
        + "x"
        + height
        + "/"
        + steps
        + "/"
        + scheduler.wire()
        + "/cfg"
        + guidanceScale
        + (control() ? "/control" + controlScale : "");
  }
}
