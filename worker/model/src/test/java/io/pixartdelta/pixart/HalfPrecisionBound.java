package io.pixartdelta.pixart;

/**
 * What "matches the fixture" means when the models run in fp16 ({@code -Dpixart.test.dtype=fp16}):
 * the fixtures come from diffusers/transformers in fp32 and their tolerances (≈1e-4 relative) are
 * below fp16's own rounding, so every comparison uses two bounds per component instead:
 *
 * <ul>
 *   <li>{@link #relativeL2}: ‖actual − expected‖₂ / ‖expected‖₂, the average error;
 *   <li>{@link #maxError}: max |actual − expected| / max(1, max |expected|), the worst element on
 *       the fixtures' own scale (the manifest scales its atol by the same max(1, max |expected|)).
 * </ul>
 *
 * <p>Why these values: fp16 keeps an 11-bit significand, so one rounding costs up to u = 2⁻¹¹ ≈
 * 4.9e-4 relative (≈2.8e-4 RMS). Each matmul, conv or norm rounds its inputs, weights and output;
 * over the few layers of the tiny fixture models (T5: 2 blocks, transformer: 3, VAE: ~30 convs with
 * GroupNorms between them) the roundings add up to a few 1e-4 (transformer, T5) to a few 1e-3
 * (VAE). Each bound is about 3× the largest error measured over all of a component's comparisons
 * with libtorch 2.7.1 fp16 on the CPU (in the comments; a GPU differs in accumulation order), and
 * still fails small defects: fed to the transformer in fp16, an off-by-one timestep gives a
 * relative L2 of 4.7e-2, a 1 % error in the resolution condition 3.4e-2, an ignored caption mask
 * 9.7e-2 (10–30× its bound), latents 1 % too large 4.8e-3 (1.6×). The pipeline's 8-bit images may
 * differ by up to ⌊255 · {@link #PIPELINE_IMAGE} max error⌋ + 1 = 2 levels.
 */
public enum HalfPrecisionBound {
  /**
   * T5 encoder (fp16 projections, fp32 norms, {@code wo} and residual). Measured 7.3e-4, 7.9e-4.
   */
  T5(2.5e-3, 2.5e-3),
  /** PixArt transformer stages and output. Measured 8.9e-4, 2.0e-3. */
  TRANSFORMER(3e-3, 6e-3),
  /** ControlNet-Transformer intermediates and output. Measured 1.1e-3, 1.8e-3. */
  CONTROLNET(3e-3, 6e-3),
  /** VAE decoder intermediates and image. Measured 3.1e-3, 3.4e-3. */
  VAE_DECODE(1e-2, 1e-2),
  /** VAE encoder intermediates and posterior. Measured 3.4e-3, 3.1e-3. */
  VAE_ENCODE(1e-2, 1e-2),
  /** Final latents after 1, 2 or 4 LCM steps, both kernel sets. Measured 4.8e-4, 4.8e-4. */
  PIPELINE_LATENTS(2e-3, 2e-3),
  /** Final images in [0, 1]. Measured 3.7e-4, 1.7e-3. */
  PIPELINE_IMAGE(1.5e-3, 6e-3);

  private final double relativeL2;
  private final double maxError;

  HalfPrecisionBound(double relativeL2, double maxError) {
    this.relativeL2 = relativeL2;
    this.maxError = maxError;
  }

  /** Bound on ‖actual − expected‖₂ / ‖expected‖₂. */
  public double relativeL2() {
    return relativeL2;
  }

  /** Bound on max |actual − expected| / max(1, max |expected|). */
  public double maxError() {
    return maxError;
  }
}
