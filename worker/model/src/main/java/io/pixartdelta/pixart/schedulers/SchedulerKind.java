package io.pixartdelta.pixart.schedulers;

import java.util.Locale;

/**
 * Which {@link Scheduler} denoises a request: the model library's side of a job's sampler (the
 * service maps its wire enum onto this one).
 */
public enum SchedulerKind {
  /** Latent consistency (PixArt-LCM): 1–8 steps, noise re-injected between steps, no guidance. */
  LCM("lcm"),
  /**
   * DPM-Solver++ (2M, multistep), deterministic: what the base PixArt-α checkpoint and the official
   * ControlNet release were demonstrated with (14–25 steps, guidance 4.5).
   */
  DPM_SOLVER("dpm-solver");

  private final String wire;

  SchedulerKind(String wire) {
    this.wire = wire;
  }

  /** The job-schema name ({@code lcm}, {@code dpm-solver}). */
  public String wire() {
    return wire;
  }

  /** The default classifier-free guidance scale (≤ 1 means no guidance). */
  public float defaultGuidance() {
    return this == LCM ? 0f : 4.5f;
  }

  public static SchedulerKind fromWire(String value) {
    for (SchedulerKind s : values()) {
      if (s.wire.equals(value.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown sampler '" + value + "': use lcm or dpm-solver");
  }
}
