package io.pixartdelta.pixart.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.nn.Scalars;
import java.util.Arrays;

/**
 * The latent consistency model sampler (Luo et al. 2023, "Latent Consistency Models", arXiv
 * 2310.04378) as diffusers' {@code LCMScheduler} runs it for PixArt-LCM: a few denoising steps from
 * a subset of the distillation timesteps, each predicting the clean latents and, except on the last
 * step, re-noising them to the next timestep.
 *
 * <p>One step at timestep t with next timestep t' (shapes (B, C, H, W); s = t·timestep_scaling,
 * σ_data = 0.5):
 *
 * <pre>
 *   x̂₀       = (x_t − √(1 − ᾱ_t)·ε̂) / √ᾱ_t            (clamped if clip_sample)
 *   denoised = c_out(t)·x̂₀ + c_skip(t)·x_t,   c_skip = σ²/(s² + σ²),  c_out = s/√(s² + σ²)
 *   x_t'     = √ᾱ_t'·denoised + √(1 − ᾱ_t')·z           (not on the last step: x = denoised)
 * </pre>
 *
 * <p>The noise z is an argument: the pipeline draws it per image from that image's generator, so a
 * batch never mixes randomness across images. Scalar coefficients come from the float32 table on
 * the host; all tensor arithmetic stays on the arrays' device, in their dtype.
 *
 * <p>Not thread-safe ({@link #setTimesteps} changes state); cheap to create per run.
 */
public final class LcmScheduler implements Scheduler {
  /** σ_data of the consistency boundary condition. */
  private static final float SIGMA_DATA = 0.5f;

  private final LcmConfig config;
  private final TimestepRule rule;
  private final float[] alphasCumprod;
  private int[] timesteps;

  /** A scheduler whose {@link #setTimesteps(int)} follows {@link TimestepRule#DIFFUSERS}. */
  public LcmScheduler(LcmConfig config) {
    this(config, TimestepRule.DIFFUSERS);
  }

  /** A scheduler whose {@link #setTimesteps(int)} follows {@code rule}. */
  public LcmScheduler(LcmConfig config, TimestepRule rule) {
    if (config == null || rule == null) {
      throw new IllegalArgumentException("config and rule are required");
    }
    this.config = config;
    this.rule = rule;
    this.alphasCumprod = NoiseSchedule.alphasCumprod(config);
  }

  public LcmConfig config() {
    return config;
  }

  /** ᾱ_t for every training timestep t = 0..T−1 (a copy), float32 as in the reference. */
  public float[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  /**
   * ᾱ "after the last step": 1 if {@code set_alpha_to_one}, else ᾱ₀. LCM schedules never use it.
   */
  public float finalAlphaCumprod() {
    return config.setAlphaToOne() ? 1f : alphasCumprod[0];
  }

  /** Initial latents are plain N(0, I) draws (diffusers' {@code init_noise_sigma}). */
  public float initNoiseSigma() {
    return 1f;
  }

  /** {@link #setTimesteps(int, TimestepRule)} with this scheduler's rule. */
  @Override
  public void setTimesteps(int steps) {
    setTimesteps(steps, rule);
  }

  /**
   * Chooses the timesteps of an N-step run from the K = {@code original_inference_steps}
   * distillation timesteps r_j = (K − j)·(T div K) − 1, j = 0..K−1 (999, 979, …, 19 for
   * PixArt-LCM).
   *
   * @param steps N, in 1..K (PixArt-LCM is meant for 1..8; 4 is the default)
   * @throws IllegalArgumentException if {@code steps} is out of range or {@code rule} is null
   */
  public void setTimesteps(int steps, TimestepRule rule) {
    int k = config.originalInferenceSteps();
    if (steps < 1 || steps > k) {
      throw new IllegalArgumentException(
          "steps must be in 1.." + k + " (original_inference_steps), got " + steps);
    }
    if (rule == null) {
      throw new IllegalArgumentException("rule is required");
    }
    int stride = config.numTrainTimesteps() / k;
    int[] chosen = new int[steps];
    for (int i = 0; i < steps; i++) {
      int index;
      if (rule == TimestepRule.DIFFUSERS) {
        // floor(np.linspace(0, K, N, endpoint=False)[i]): numpy computes i·(K/N) in double.
        index = (int) Math.floor(i * ((double) k / steps));
      } else {
        index = (k / steps) * i;
      }
      chosen[i] = (k - index) * stride - 1;
    }
    this.timesteps = chosen;
  }

  /** The timesteps chosen by the last {@code setTimesteps}, descending (a copy). */
  @Override
  public int[] timesteps() {
    return requireTimesteps().clone();
  }

  /** ᾱ_t of training timestep {@code t}. */
  public float alphaCumprod(int t) {
    if (t < 0 || t >= alphasCumprod.length) {
      throw new IllegalArgumentException(
          "timestep must be in 0.." + (alphasCumprod.length - 1) + ", got " + t);
    }
    return alphasCumprod[t];
  }

  /**
   * c_skip and c_out at timestep {@code t}, in float32 as the reference computes them from an
   * integer timestep tensor (so c_out rounds to exactly 1 for t ≥ 259 at the default scaling).
   */
  public BoundaryScalings scalings(int t) {
    float scaled = (float) t * (float) config.timestepScaling(); // (s)
    float denominator = scaled * scaled + SIGMA_DATA * SIGMA_DATA; // s² + σ²
    float cSkip = SIGMA_DATA * SIGMA_DATA / denominator;
    float cOut = scaled / (float) Math.sqrt(denominator);
    return new BoundaryScalings(cSkip, cOut);
  }

  /**
   * One LCM step.
   *
   * @param modelOutput ε̂, the model's noise prediction (the first C channels of its output), same
   *     shape as {@code sample}
   * @param stepIndex position in {@link #timesteps()}, 0-based
   * @param sample the current latents x_t, (B, C, H, W)
   * @param noise z ~ N(0, I) of the same shape for every step but the last; {@code null} on the
   *     last step
   * @return the next latents and the clean-latent estimate, attached to {@code sample}'s manager
   * @throws IllegalStateException if {@link #setTimesteps} was not called
   * @throws IllegalArgumentException for a bad step index, mismatched shapes, or noise given on the
   *     last step / missing on another
   */
  @Override
  public SchedulerOutput step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise) {
    int[] ts = requireTimesteps();
    if (stepIndex < 0 || stepIndex >= ts.length) {
      throw new IllegalArgumentException(
          "stepIndex must be in 0.." + (ts.length - 1) + ", got " + stepIndex);
    }
    if (modelOutput == null || sample == null) {
      throw new IllegalArgumentException("modelOutput and sample are required");
    }
    if (!modelOutput.getShape().equals(sample.getShape())) {
      throw new IllegalArgumentException(
          "modelOutput shape " + modelOutput.getShape() + " != sample shape " + sample.getShape());
    }
    boolean last = stepIndex == ts.length - 1;
    if (last && noise != null) {
      throw new IllegalArgumentException("noise must be null on the last step (none is added)");
    }
    if (!last && noise == null) {
      throw new IllegalArgumentException("noise is required on step " + stepIndex);
    }
    if (noise != null && !noise.getShape().equals(sample.getShape())) {
      throw new IllegalArgumentException(
          "noise shape " + noise.getShape() + " != sample shape " + sample.getShape());
    }

    int t = ts[stepIndex];
    float alpha = alphasCumprod[t];
    float sqrtAlpha = (float) Math.sqrt(alpha);
    float sqrtBeta = (float) Math.sqrt(1f - alpha);
    BoundaryScalings c = scalings(t);

    try (NDManager scope = sample.getManager().newSubManager()) {
      scope.tempAttachAll(
          noise == null
              ? new NDArray[] {modelOutput, sample}
              : new NDArray[] {modelOutput, sample, noise});
      NDArray x0 =
          Scalars.div(sample.sub(Scalars.mul(modelOutput, sqrtBeta)), sqrtAlpha); // (B, C, H, W)
      if (config.clipSample()) {
        float bound = (float) config.clipSampleRange();
        x0 = x0.clip(-bound, bound);
      }
      NDArray denoised = Scalars.axpby(c.cOut(), x0, c.cSkip(), sample); // (B, C, H, W)
      if (last) {
        NDArray out = scope.ret(denoised);
        return new SchedulerOutput(out, out);
      }
      float alphaNext = alphasCumprod[ts[stepIndex + 1]];
      float sqrtAlphaNext = (float) Math.sqrt(alphaNext);
      float sqrtBetaNext = (float) Math.sqrt(1f - alphaNext);
      NDArray prev = Scalars.axpby(sqrtAlphaNext, denoised, sqrtBetaNext, noise); // (B, C, H, W)
      return new SchedulerOutput(scope.ret(prev), scope.ret(denoised));
    }
  }

  /** Every step but the last re-noises to the next timestep. */
  @Override
  public boolean needsNoise(int stepIndex) {
    return stepIndex < requireTimesteps().length - 1;
  }

  private int[] requireTimesteps() {
    if (timesteps == null) {
      throw new IllegalStateException("call setTimesteps before using the schedule");
    }
    return timesteps;
  }

  @Override
  public String toString() {
    return "LcmScheduler" + (timesteps == null ? "" : Arrays.toString(timesteps)) + " " + config;
  }
}
