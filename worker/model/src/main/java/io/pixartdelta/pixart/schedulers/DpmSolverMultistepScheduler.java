package io.pixartdelta.pixart.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.nn.Scalars;
import java.util.Arrays;

/**
 * The multistep DPM-Solver++ sampler (Lu et al. 2022, "DPM-Solver++: Fast Solver for Guided
 * Sampling of Diffusion Probabilistic Models", arXiv 2211.01095) as diffusers' {@code
 * DPMSolverMultistepScheduler} runs it with {@code algorithm_type = "dpmsolver++"}: a deterministic
 * ODE solver on the clean-sample estimate x̂₀, first order on the first step, then multistep of
 * order up to {@code solver_order} (2M, 3M) by reusing the previous steps' x̂₀.
 *
 * <p>Noise levels are kept as σ = √((1 − ᾱ_t)/ᾱ_t); a step from σ_s to σ_t uses α = 1/√(σ² + 1), σ'
 * = σ·α and λ = log α − log σ' (half log-SNR), h = λ_t − λ_s (shapes (B, C, H, W)):
 *
 * <pre>
 *   x̂₀   = (x_s − σ'_s·ε̂) / α_s                               (epsilon prediction)
 *   1st:  x_t = (σ'_t/σ'_s)·x_s − α_t·(e^{−h} − 1)·x̂₀
 *   2M:   D₁ = (x̂₀ − x̂₀_prev)/r,  r = (λ_s − λ_prev)/h
 *         midpoint: x_t = (σ'_t/σ'_s)·x_s − α_t·(e^{−h} − 1)·x̂₀ − ½·α_t·(e^{−h} − 1)·D₁
 *         heun:     x_t = (σ'_t/σ'_s)·x_s − α_t·(e^{−h} − 1)·x̂₀ + α_t·((e^{−h} − 1)/h + 1)·D₁
 *   3M:   D₁₀ = (x̂₀ − x̂₀_prev)/r₀,  D₁₁ = (x̂₀_prev − x̂₀_prev2)/r₁,  r₁ = (λ_prev − λ_prev2)/h
 *         D₁ = D₁₀ + r₀/(r₀ + r₁)·(D₁₀ − D₁₁),  D₂ = (D₁₀ − D₁₁)/(r₀ + r₁)
 *         x_t = (σ'_t/σ'_s)·x_s − α_t·(e^{−h} − 1)·x̂₀ + α_t·((e^{−h} − 1)/h + 1)·D₁
 *               − α_t·((e^{−h} − 1 + h)/h² − ½)·D₂
 * </pre>
 *
 * <p>With the default {@code final_sigmas_type = "zero"} the last step goes to σ = 0 (α = 1, λ =
 * +∞), is always first order and returns x̂₀ exactly.
 *
 * <p>Numerics follow the reference: the ᾱ table and the per-timestep σ are float32 as torch
 * computes them, timesteps come from numpy's float64 formulas, and every scalar coefficient is
 * evaluated in float32 on the host. Tensor arithmetic stays on the arrays' device: x̂₀ in the
 * inputs' dtype, the update itself in float32 (diffusers upcasts the sample there) and the result
 * cast back.
 *
 * <p>Stateful: the x̂₀ returned as {@link SchedulerOutput#denoised()} is also the history the next
 * steps read, so keep it open until the next step (third order: the next two steps) has returned.
 * Steps must run in order 0, 1, 2, …; step 0 starts a new run. Not thread-safe; cheap to create per
 * run.
 */
public final class DpmSolverMultistepScheduler implements Scheduler {
  private final DpmSolverConfig config;
  private final float[] alphasCumprod;
  private final float[] trainSigmas;
  private int[] timesteps;
  private float[] sigmas;
  private int nextStep;
  private NDArray previousDenoised; // x̂₀ of the previous step (m1)
  private NDArray olderDenoised; // x̂₀ of the step before that (m2), for third order

  public DpmSolverMultistepScheduler(DpmSolverConfig config) {
    if (config == null) {
      throw new IllegalArgumentException("config is required");
    }
    this.config = config;
    this.alphasCumprod =
        NoiseSchedule.alphasCumprod(
            config.numTrainTimesteps(),
            config.betaStart(),
            config.betaEnd(),
            config.betaSchedule());
    this.trainSigmas = new float[alphasCumprod.length];
    for (int t = 0; t < alphasCumprod.length; t++) {
      float a = alphasCumprod[t];
      // torch: ((1 - ᾱ) / ᾱ) ** 0.5 in float32; a float sqrt via double is correctly rounded.
      trainSigmas[t] = (float) Math.sqrt((1f - a) / a);
    }
  }

  public DpmSolverConfig config() {
    return config;
  }

  /** ᾱ_t for every training timestep t = 0..T−1 (a copy), float32 as in the reference. */
  public float[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  /** Initial latents are plain N(0, I) draws (diffusers' {@code init_noise_sigma}). */
  public float initNoiseSigma() {
    return 1f;
  }

  /** The model input at step {@code stepIndex}: the sample itself (no input scaling). */
  public NDArray scaleModelInput(NDArray sample, int stepIndex) {
    return sample;
  }

  /**
   * Chooses the timesteps of an N-step run by the config's {@code timestep_spacing} (numpy float64
   * arithmetic, round half to even, as diffusers) and the noise levels σ at each, plus the final
   * one. Resets the multistep history.
   *
   * @param steps N ≥ 1; the run has exactly {@link #timesteps()}{@code .length} steps, which is N
   *     unless {@code lambda_min_clipped} shortens the range under {@code trailing}
   * @throws IllegalArgumentException if {@code steps} is out of range or the spacing yields
   *     repeated or out-of-range timesteps for it (e.g. linspace with N = T, some trailing N)
   */
  @Override
  public void setTimesteps(int steps) {
    int trainSteps = config.numTrainTimesteps();
    if (steps < 1 || steps > trainSteps) {
      throw new IllegalArgumentException(
          "steps must be in 1.." + trainSteps + " (num_train_timesteps), got " + steps);
    }
    int[] chosen = spacedTimesteps(steps, lastTimestep());
    for (int i = 0; i < chosen.length; i++) {
      boolean inRange = chosen[i] >= 0 && chosen[i] < trainSteps;
      if (!inRange || (i > 0 && chosen[i] >= chosen[i - 1])) {
        throw new IllegalArgumentException(
            config.timestepSpacing().configName()
                + " spacing gives unusable timesteps for "
                + steps
                + " steps: "
                + Arrays.toString(chosen));
      }
    }
    float[] levels = new float[chosen.length + 1];
    for (int i = 0; i < chosen.length; i++) {
      levels[i] = trainSigmas[chosen[i]];
    }
    levels[chosen.length] =
        config.finalSigmasType() == DpmSolverConfig.FinalSigmas.ZERO ? 0f : trainSigmas[0];
    this.timesteps = chosen;
    this.sigmas = levels;
    this.nextStep = 0;
    this.previousDenoised = null;
    this.olderDenoised = null;
  }

  /** The timesteps chosen by the last {@code setTimesteps}, descending (a copy). */
  @Override
  public int[] timesteps() {
    return requireTimesteps().clone();
  }

  /**
   * σ at each step's timestep followed by the final σ (0 by default): one more entry than {@link
   * #timesteps()} (a copy, float32 as in the reference).
   */
  public float[] sigmas() {
    requireTimesteps();
    return sigmas.clone();
  }

  /**
   * The solver order step {@code stepIndex} uses, as diffusers' {@code step} chooses it: at most
   * {@code stepIndex + 1} (the history it has) and at most {@code solver_order}; 1 on the last step
   * when the config asks for a lower-order final step (always with a zero final σ); at most 2 on
   * the second-to-last step of a run shorter than 15 steps with {@code lower_order_final}.
   */
  public int orderAt(int stepIndex) {
    int n = requireTimesteps().length;
    checkIndex(stepIndex, n);
    boolean lowerOrderFinal =
        stepIndex == n - 1
            && (config.eulerAtFinal()
                || (config.lowerOrderFinal() && n < 15)
                || config.finalSigmasType() == DpmSolverConfig.FinalSigmas.ZERO);
    boolean lowerOrderSecond = stepIndex == n - 2 && config.lowerOrderFinal() && n < 15;
    if (config.solverOrder() == 1 || stepIndex == 0 || lowerOrderFinal) {
      return 1;
    }
    if (config.solverOrder() == 2 || stepIndex == 1 || lowerOrderSecond) {
      return 2;
    }
    return 3;
  }

  /**
   * One solver step from {@code timesteps()[stepIndex]} to the next noise level.
   *
   * @param modelOutput the model's prediction (ε̂ for epsilon prediction: the first C channels of
   *     its output), same shape and dtype as {@code sample}
   * @param stepIndex position in {@link #timesteps()}, 0-based; must follow the previous step
   * @param sample the current latents x_t, (B, C, H, W)
   * @return the next latents and this step's x̂₀, both attached to {@code sample}'s manager, in
   *     {@code sample}'s dtype
   * @throws IllegalStateException if {@link #setTimesteps} was not called, steps run out of order,
   *     or the previous step's x̂₀ was closed before a second-order step
   * @throws IllegalArgumentException for a bad step index or mismatched shapes / dtypes
   */
  /** Deterministic: never takes noise. */
  @Override
  public boolean needsNoise(int stepIndex) {
    return false;
  }

  /**
   * {@link #step(NDArray, int, NDArray)}; {@code noise} must be null (this solver adds none).
   *
   * @throws IllegalArgumentException if {@code noise} is given
   */
  @Override
  public SchedulerOutput step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise) {
    if (noise != null) {
      throw new IllegalArgumentException("DPM-Solver++ is deterministic: noise must be null");
    }
    return step(modelOutput, stepIndex, sample);
  }

  public SchedulerOutput step(NDArray modelOutput, int stepIndex, NDArray sample) {
    int[] ts = requireTimesteps();
    checkIndex(stepIndex, ts.length);
    if (modelOutput == null || sample == null) {
      throw new IllegalArgumentException("modelOutput and sample are required");
    }
    if (!modelOutput.getShape().equals(sample.getShape())) {
      throw new IllegalArgumentException(
          "modelOutput shape " + modelOutput.getShape() + " != sample shape " + sample.getShape());
    }
    DataType dtype = sample.getDataType();
    if (modelOutput.getDataType() != dtype) {
      throw new IllegalArgumentException(
          "modelOutput dtype " + modelOutput.getDataType() + " != sample dtype " + dtype);
    }
    if (stepIndex != 0 && stepIndex != nextStep) {
      throw new IllegalStateException(
          "steps must run in order: expected step " + nextStep + ", got " + stepIndex);
    }
    int order = orderAt(stepIndex);
    NDArray previous = order >= 2 ? history(previousDenoised, stepIndex, 1) : null;
    NDArray older = order == 3 ? history(olderDenoised, stepIndex, 2) : null;

    // Scalars in float32 as torch evaluates them from the float32 sigma table.
    Level s = new Level(sigmas[stepIndex]);
    Level t = new Level(sigmas[stepIndex + 1]);
    float h = t.lambda - s.lambda; // +∞ when the target σ is 0
    float expMinusOne = (float) Math.exp(-h) - 1f; // e^{−h} − 1
    float sampleCoefficient = t.sigma / s.sigma;
    float denoisedCoefficient = t.alpha * expMinusOne;

    try (NDManager scope = sample.getManager().newSubManager()) {
      attachOnce(scope, modelOutput, sample, previous, older);
      NDArray x0 = denoised(modelOutput, sample, s); // (B, C, H, W), input dtype
      NDArray x = toFloat32(sample); // (B, C, H, W)
      NDArray m0 = toFloat32(x0); // (B, C, H, W)
      NDArray next =
          Scalars.mul(x, sampleCoefficient)
              .sub(Scalars.mul(m0, denoisedCoefficient)); // (B, C, H, W)
      if (order >= 2) {
        next = next.add(correction(order, stepIndex, t, h, m0, previous, older)); // (B, C, H, W)
      }
      if (dtype != DataType.FLOAT32) {
        next = next.toType(dtype, false);
      }
      NDArray prevSample = scope.ret(next);
      NDArray estimate = scope.ret(x0);
      this.olderDenoised = previousDenoised;
      this.previousDenoised = estimate;
      this.nextStep = stepIndex + 1;
      return new SchedulerOutput(prevSample, estimate);
    }
  }

  /**
   * The multistep term added to the first-order update: from D₁ = (x̂₀ − x̂₀_prev)/r₀ for 2M
   * (midpoint or heun), from D₁ and D₂ over the last three x̂₀ for 3M (which has only the heun
   * form), float32.
   *
   * @param m0 this step's x̂₀ in float32, (B, C, H, W)
   */
  private NDArray correction(
      int order, int stepIndex, Level t, float h, NDArray m0, NDArray previous, NDArray older) {
    Level s = new Level(sigmas[stepIndex]);
    Level p = new Level(sigmas[stepIndex - 1]);
    float expMinusOne = (float) Math.exp(-h) - 1f; // e^{−h} − 1
    float d1Coefficient = t.alpha * (expMinusOne / h + 1f);
    float r0 = (s.lambda - p.lambda) / h;
    NDArray m1 = toFloat32(previous); // (B, C, H, W)
    NDArray d10 = Scalars.mul(m0.sub(m1), 1f / r0); // (B, C, H, W)
    if (order == 2) {
      return config.solverType() == DpmSolverConfig.SolverType.MIDPOINT
          ? Scalars.mul(d10, -0.5f * t.alpha * expMinusOne)
          : Scalars.mul(d10, d1Coefficient);
    }
    Level q = new Level(sigmas[stepIndex - 2]);
    float r1 = (p.lambda - q.lambda) / h;
    NDArray d11 = Scalars.mul(m1.sub(toFloat32(older)), 1f / r1); // (B, C, H, W)
    NDArray diff = d10.sub(d11); // (B, C, H, W)
    NDArray d1 = d10.add(Scalars.mul(diff, r0 / (r0 + r1))); // (B, C, H, W)
    NDArray d2 = Scalars.mul(diff, 1f / (r0 + r1)); // (B, C, H, W)
    float d2Coefficient = t.alpha * ((expMinusOne + h) / (h * h) - 0.5f);
    return Scalars.mul(d1, d1Coefficient).sub(Scalars.mul(d2, d2Coefficient));
  }

  /** The x̂₀ of step {@code stepIndex − back}, checked to be still open. */
  private static NDArray history(NDArray denoised, int stepIndex, int back) {
    if (denoised == null || denoised.isReleased()) {
      throw new IllegalStateException(
          "step "
              + stepIndex
              + " needs the x̂₀ of step "
              + (stepIndex - back)
              + ", which was closed: keep SchedulerOutput.denoised open for the next "
              + back
              + " step(s)");
    }
    return denoised;
  }

  /** x̂₀ from the model output at noise level {@code s}, in the inputs' dtype. */
  private NDArray denoised(NDArray modelOutput, NDArray sample, Level s) {
    switch (config.predictionType()) {
      case EPSILON:
        return Scalars.div(sample.sub(Scalars.mul(modelOutput, s.sigma)), s.alpha);
      case V_PREDICTION:
        return Scalars.mul(sample, s.alpha).sub(Scalars.mul(modelOutput, s.sigma));
      case SAMPLE:
        return modelOutput.duplicate();
      default:
        throw new IllegalStateException("unhandled prediction type " + config.predictionType());
    }
  }

  private static NDArray toFloat32(NDArray a) {
    return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
  }

  private static void attachOnce(NDManager scope, NDArray... arrays) {
    for (int i = 0; i < arrays.length; i++) {
      boolean seen = arrays[i] == null;
      for (int j = 0; j < i && !seen; j++) {
        seen = arrays[j] == arrays[i];
      }
      if (!seen) {
        scope.tempAttachAll(arrays[i]);
      }
    }
  }

  /**
   * The last training timestep + 1 the schedule may start from: T, minus the timesteps whose λ lies
   * below {@code lambda_min_clipped} (torch's searchsorted over the ascending λ table).
   */
  private int lastTimestep() {
    double clip = config.lambdaMinClipped();
    int below = 0;
    for (float a : alphasCumprod) {
      float lambda =
          (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
      if (lambda < clip) {
        below++;
      }
    }
    return config.numTrainTimesteps() - below;
  }

  private int[] spacedTimesteps(int steps, int last) {
    int[] out;
    switch (config.timestepSpacing()) {
      case LINSPACE:
        {
          // np.linspace(0, last − 1, N + 1): i·step with the endpoint exact; round, reverse, drop
          // 0.
          double step = (last - 1) / (double) steps;
          out = new int[steps];
          for (int j = 0; j < steps; j++) {
            int i = steps - j;
            double v = i == steps ? last - 1 : i * step;
            out[j] = (int) Math.rint(v);
          }
          return out;
        }
      case LEADING:
        {
          int ratio = last / (steps + 1);
          out = new int[steps];
          for (int j = 0; j < steps; j++) {
            out[j] = (steps - j) * ratio + config.stepsOffset();
          }
          return out;
        }
      case TRAILING:
        {
          // np.arange(last, 0, −T/N) as numpy fills it: length ceil(−last/(−T/N)), then last,
          // last − T/N, and last + i·δ with δ = (last − T/N) − last; round, then − 1.
          double ratio = config.numTrainTimesteps() / (double) steps;
          int length = (int) Math.ceil((0.0 - last) / -ratio);
          double second = last - ratio;
          double delta = second - last;
          out = new int[Math.max(length, 0)];
          for (int i = 0; i < out.length; i++) {
            double v = i == 0 ? last : i == 1 ? second : last + i * delta;
            out[i] = (int) Math.rint(v) - 1;
          }
          return out;
        }
      default:
        throw new IllegalStateException("unhandled spacing " + config.timestepSpacing());
    }
  }

  private static void checkIndex(int stepIndex, int n) {
    if (stepIndex < 0 || stepIndex >= n) {
      throw new IllegalArgumentException(
          "stepIndex must be in 0.." + (n - 1) + ", got " + stepIndex);
    }
  }

  private int[] requireTimesteps() {
    if (timesteps == null) {
      throw new IllegalStateException("call setTimesteps before using the schedule");
    }
    return timesteps;
  }

  /**
   * α, σ' and λ of one noise level σ, in float32 as diffusers' {@code _sigma_to_alpha_sigma_t} and
   * its log terms evaluate them.
   */
  private static final class Level {
    final float alpha;
    final float sigma;
    final float lambda;

    Level(float noise) {
      this.alpha = 1f / (float) Math.sqrt(noise * noise + 1f);
      this.sigma = noise * alpha;
      this.lambda = (float) Math.log(alpha) - (float) Math.log(sigma);
    }
  }

  @Override
  public String toString() {
    return "DpmSolverMultistepScheduler"
        + (timesteps == null ? "" : Arrays.toString(timesteps))
        + " "
        + config;
  }
}
