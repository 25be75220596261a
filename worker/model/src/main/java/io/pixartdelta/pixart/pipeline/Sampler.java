package io.pixartdelta.pixart.pipeline;

import java.util.Locale;

/** The denoising algorithm of a request. */
public enum Sampler {
  /** Latent consistency (PixArt-LCM): 1–8 steps, noise re-injected between steps, no guidance. */
  LCM("lcm"),
  /**
   * DPM-Solver++ (2M, multistep), deterministic: what the base PixArt-α checkpoint and the official
   * ControlNet release were demonstrated with (14–25 steps, guidance 4.5).
   */
  DPM_SOLVER("dpm-solver");

  private final String wire;

  Sampler(String wire) {
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

  public static Sampler fromWire(String value) {
    for (Sampler s : values()) {
      if (s.wire.equals(value.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown sampler '" + value + "': use lcm or dpm-solver");
  }
}
