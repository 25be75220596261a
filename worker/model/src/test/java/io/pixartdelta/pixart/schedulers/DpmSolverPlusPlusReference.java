package io.pixartdelta.pixart.schedulers;

/**
 * A test-only float64 DPM-Solver++ written from the paper (Lu et al. 2022, arXiv 2211.01095), not
 * from the production class: it works on the VP coefficients α_t = √ᾱ_t, σ_t = √(1 − ᾱ_t) directly
 * (no detour through σ/α), on plain double arrays, one element at a time.
 *
 * <ul>
 *   <li>x̂₀ = (x − σ_s·ε̂)/α_s (the data-prediction model of the paper's §3 for a noise-prediction
 *       network).
 *   <li>First order is DDIM (the paper's eq. for DPM-Solver++(1) is DDIM): ε̂' = (x − α_s·x̂₀)/σ_s
 *       and x_t = α_t·x̂₀ + σ_t·ε̂'. No λ or exponentials involved.
 *   <li>Second order "midpoint" is Algorithm 2 (DPM-Solver++(2M)) as printed: r = h_{i−1}/h_i, D =
 *       (1 + 1/(2r))·x̂₀ − (1/(2r))·x̂₀_prev, x_t = (σ_t/σ_s)·x − α_t·(e^{−h} − 1)·D, with λ =
 *       log(α/σ).
 *   <li>Second order "heun" is the exact integral of the data-prediction ODE x_t = (σ_t/σ_s)·x +
 *       σ_t·∫ e^λ x̂₀(λ) dλ when x̂₀ is extrapolated linearly in λ through the last two estimates:
 *       α_t(1 − e^{−h})·x̂₀ + α_t(h − 1 + e^{−h})·(x̂₀ − x̂₀_prev)/h_{i−1}.
 * </ul>
 *
 * <p>The target after the last step is σ = 0, α = 1 (λ = +∞): DDIM then returns x̂₀.
 */
final class DpmSolverPlusPlusReference {
  private final double[] alpha;
  private final double[] sigma;
  private final double[] lambda;
  private final boolean heun;
  private double[] previousX0;
  private int step;

  /**
   * @param alphasCumprod ᾱ for every training timestep (taken from the reference's float32 table)
   * @param timesteps the run's timesteps, descending
   * @param heun second-order rule: false for the paper's 2M, true for the λ-linear integral
   */
  DpmSolverPlusPlusReference(float[] alphasCumprod, int[] timesteps, boolean heun) {
    int n = timesteps.length;
    this.alpha = new double[n + 1];
    this.sigma = new double[n + 1];
    this.lambda = new double[n + 1];
    for (int i = 0; i < n; i++) {
      double abar = alphasCumprod[timesteps[i]];
      alpha[i] = Math.sqrt(abar);
      sigma[i] = Math.sqrt(1 - abar);
      lambda[i] = Math.log(alpha[i] / sigma[i]);
    }
    alpha[n] = 1;
    sigma[n] = 0;
    lambda[n] = Double.POSITIVE_INFINITY;
    this.heun = heun;
  }

  /** x̂₀ of the step just taken. */
  double[] lastDenoised() {
    return previousX0.clone();
  }

  /**
   * One step with noise prediction {@code eps}, of the given order; returns x at the next level.
   */
  double[] step(double[] x, double[] eps, int order) {
    int s = step;
    int t = step + 1;
    double[] x0 = new double[x.length];
    double[] out = new double[x.length];
    for (int k = 0; k < x.length; k++) {
      x0[k] = (x[k] - sigma[s] * eps[k]) / alpha[s];
    }
    if (order == 1) {
      for (int k = 0; k < x.length; k++) {
        double noise = (x[k] - alpha[s] * x0[k]) / sigma[s];
        out[k] = alpha[t] * x0[k] + sigma[t] * noise;
      }
    } else {
      double h = lambda[t] - lambda[s];
      double hPrev = lambda[s] - lambda[s - 1];
      double expm1 = Math.expm1(-h); // e^{−h} − 1
      for (int k = 0; k < x.length; k++) {
        double linear = sigma[t] / sigma[s] * x[k];
        if (heun) {
          out[k] =
              linear
                  - alpha[t] * expm1 * x0[k]
                  + alpha[t] * (h + expm1) * (x0[k] - previousX0[k]) / hPrev;
        } else {
          double r = hPrev / h;
          double d = (1 + 1 / (2 * r)) * x0[k] - (1 / (2 * r)) * previousX0[k];
          out[k] = linear - alpha[t] * expm1 * d;
        }
      }
    }
    previousX0 = x0;
    step++;
    return out;
  }

  /** α at level {@code i} (i = n is the final, α = 1). */
  double alpha(int i) {
    return alpha[i];
  }

  /** σ at level {@code i} (i = n is the final, σ = 0). */
  double sigma(int i) {
    return sigma[i];
  }
}
