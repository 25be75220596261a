package io.pixartdelta.pixart.schedulers;

/**
 * The training noise schedule ᾱ_t = Π_{i ≤ t} (1 − β_i) in float32, computed the way PyTorch does
 * in diffusers' scheduler constructors so the table matches the reference bit for bit.
 */
final class NoiseSchedule {
  private NoiseSchedule() {}

  /**
   * The constructor checks both scheduler configs share: T ≥ 2 and β₀, β_{T−1} in (0, 1).
   *
   * @throws IllegalArgumentException naming the config key
   */
  static void checkBetas(int n, double betaStart, double betaEnd, BetaSchedule schedule) {
    if (n < 2) {
      throw new IllegalArgumentException("num_train_timesteps must be at least 2, got " + n);
    }
    if (!(betaStart > 0 && betaStart < 1)) {
      throw new IllegalArgumentException("beta_start must be in (0, 1), got " + betaStart);
    }
    if (!(betaEnd > 0 && betaEnd < 1)) {
      throw new IllegalArgumentException("beta_end must be in (0, 1), got " + betaEnd);
    }
    if (schedule == null) {
      throw new IllegalArgumentException("beta_schedule is required");
    }
  }

  /** ᾱ₀..ᾱ_{T−1} for {@code config}. */
  static float[] alphasCumprod(LcmConfig config) {
    return alphasCumprod(
        config.numTrainTimesteps(), config.betaStart(), config.betaEnd(), config.betaSchedule());
  }

  /**
   * ᾱ₀..ᾱ_{T−1} for {@code n} = T training steps with β from {@code betaStart} to {@code betaEnd}.
   */
  static float[] alphasCumprod(int n, double betaStart, double betaEnd, BetaSchedule schedule) {
    float[] betas;
    switch (schedule) {
      case LINEAR:
        betas = linspace((float) betaStart, (float) betaEnd, n);
        break;
      case SCALED_LINEAR:
        betas = linspace((float) Math.sqrt(betaStart), (float) Math.sqrt(betaEnd), n);
        for (int i = 0; i < n; i++) {
          betas[i] = betas[i] * betas[i];
        }
        break;
      default:
        throw new IllegalStateException("unhandled beta schedule " + schedule);
    }
    float[] alphasCumprod = new float[n];
    // torch.cumprod on the CPU accumulates float32 inputs in double and rounds each prefix.
    double product = 1.0;
    for (int i = 0; i < n; i++) {
      float alpha = 1f - betas[i];
      product *= alpha;
      alphasCumprod[i] = (float) product;
    }
    return alphasCumprod;
  }

  /**
   * {@code torch.linspace(start, end, steps, dtype=float32)} on the CPU: a float step, the first
   * half counted up from {@code start} and the second half down from {@code end}, each value one
   * fused multiply-add (libtorch is built with contraction).
   */
  static float[] linspace(float start, float end, int steps) {
    float[] out = new float[steps];
    if (steps == 1) {
      out[0] = start;
      return out;
    }
    float step = (end - start) / (float) (steps - 1);
    int halfway = steps / 2;
    for (int i = 0; i < steps; i++) {
      out[i] =
          i < halfway
              ? Math.fma(step, (float) i, start)
              : Math.fma(-step, (float) (steps - i - 1), end);
    }
    return out;
  }
}
