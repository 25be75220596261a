package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.schedulers.SchedulerKind;

/**
 * A job's classifier-free guidance scale, resolved once when the job is planned.
 *
 * @param requested the job's own {@code guidanceScale}, or null when it gives none (kept for the
 *     request fingerprint and the embedded parameters, which show it as sent)
 * @param scale the scale the pipeline renders with: {@code requested} as a float, or the
 *     scheduler's default
 */
public record GuidanceScale(Double requested, float scale) {
  public GuidanceScale {
    if (requested != null && requested.floatValue() != scale) {
      throw new IllegalArgumentException(
          "scale " + scale + " is not the requested guidance scale " + requested);
    }
  }

  /** The job's {@code requested} scale, or {@code scheduler}'s default when it gives none. */
  public static GuidanceScale of(Double requested, SchedulerKind scheduler) {
    return new GuidanceScale(
        requested, requested == null ? scheduler.defaultGuidance() : requested.floatValue());
  }

  /** The scale to report: as requested, else the default used. */
  public double reported() {
    return requested != null ? requested : scale;
  }
}
