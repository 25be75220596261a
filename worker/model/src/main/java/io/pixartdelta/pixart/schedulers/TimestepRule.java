package io.pixartdelta.pixart.schedulers;

/**
 * Which N of the {@code original_inference_steps} distillation timesteps (999, 979, …, 19 for
 * PixArt-LCM) an N-step run visits. The two rules agree for N = 1, 2, 5, 7 and differ otherwise,
 * e.g. N = 4: 999, 759, 499, 259 versus 999, 759, 519, 279.
 */
public enum TimestepRule {
  /**
   * Current diffusers (≥ 0.24, the reference for the fixtures): indices floor(i·K/N) into the
   * descending candidate list of length K.
   */
  DIFFUSERS,
  /** The original PixArt repository and diffusers ≤ 0.23: every (K div N)-th candidate. */
  ORIGINAL_PIXART
}
