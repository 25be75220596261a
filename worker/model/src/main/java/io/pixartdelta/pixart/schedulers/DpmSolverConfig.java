package io.pixartdelta.pixart.schedulers;

import static io.pixartdelta.pixart.weights.ConfigJson.bool;
import static io.pixartdelta.pixart.weights.ConfigJson.integer;
import static io.pixartdelta.pixart.weights.ConfigJson.number;
import static io.pixartdelta.pixart.weights.ConfigJson.present;
import static io.pixartdelta.pixart.weights.ConfigJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightException;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings of diffusers' {@code DPMSolverMultistepScheduler} that this project runs: the
 * deterministic DPM-Solver++ (Lu et al. 2022, arXiv 2211.01095) of order 1, 2 or 3, read from a
 * checkpoint's {@code scheduler/scheduler_config.json}. Names follow the JSON keys.
 *
 * <p>{@link #fromJson} rejects every option that would change the maths in a way {@link
 * DpmSolverMultistepScheduler} does not implement (SDE and noise-space variants, thresholding,
 * Karras/Lu/exponential/beta/flow sigmas, zero-SNR rescaling, trained betas, learned variance
 * slicing) rather than sampling differently from the reference.
 *
 * @param numTrainTimesteps T, the number of training noise levels (default 1000)
 * @param betaStart β₀ (default 0.0001)
 * @param betaEnd β_{T−1} (default 0.02)
 * @param betaSchedule spacing of the β (default linear)
 * @param solverOrder 1 (DDIM-equivalent), 2 (2M multistep; default) or 3 (3M multistep)
 * @param predictionType what the model predicts (default epsilon)
 * @param solverType how the second-order step uses the previous x̂₀ (default midpoint)
 * @param lowerOrderFinal whether runs of fewer than 15 steps end with a first-order step (default
 *     true)
 * @param eulerAtFinal whether every run ends with a first-order step (default false)
 * @param finalSigmasType the noise level after the last step (default zero: fully denoised)
 * @param lambdaMinClipped lower clip of λ(t) = log(α_t/σ_t) that shortens the usable timestep
 *     range; −∞ (default) keeps every training timestep
 * @param timestepSpacing how inference timesteps are spread over the training range (default
 *     linspace)
 * @param stepsOffset added to the timesteps by the {@code leading} spacing (default 0)
 */
public record DpmSolverConfig(
    int numTrainTimesteps,
    double betaStart,
    double betaEnd,
    BetaSchedule betaSchedule,
    int solverOrder,
    PredictionType predictionType,
    SolverType solverType,
    boolean lowerOrderFinal,
    boolean eulerAtFinal,
    FinalSigmas finalSigmasType,
    double lambdaMinClipped,
    TimestepSpacing timestepSpacing,
    int stepsOffset) {

  /** The diffusers class this config describes. */
  public static final String CLASS_NAME = "DPMSolverMultistepScheduler";

  /** The only {@code algorithm_type} implemented. */
  public static final String ALGORITHM = "dpmsolver++";

  /** Options that must be absent or false: each changes the sigmas or the update. */
  private static final List<String> MUST_BE_OFF =
      List.of(
          "thresholding",
          "rescale_betas_zero_snr",
          "use_karras_sigmas",
          "use_lu_lambdas",
          "use_exponential_sigmas",
          "use_beta_sigmas",
          "use_flow_sigmas",
          "use_dynamic_shifting");

  /** An option whose value is spelled {@link #configName()} in the JSON. */
  public interface ConfigValue {
    /** The value as written in {@code scheduler_config.json}. */
    String configName();
  }

  /** What the denoising model outputs ({@code prediction_type}). */
  public enum PredictionType implements ConfigValue {
    /** The noise ε; x̂₀ = (x_t − σ_t·ε̂)/α_t. */
    EPSILON("epsilon"),
    /** v = α_t·ε − σ_t·x₀; x̂₀ = α_t·x_t − σ_t·v̂. */
    V_PREDICTION("v_prediction"),
    /** The clean sample itself. */
    SAMPLE("sample");

    private final String configName;

    PredictionType(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  /** The second-order update rule ({@code solver_type}). */
  public enum SolverType implements ConfigValue {
    /** DPM-Solver++(2M) as in the paper's Algorithm 2. */
    MIDPOINT("midpoint"),
    /** Exact integral of x̂₀ extrapolated linearly in λ. */
    HEUN("heun");

    private final String configName;

    SolverType(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  /** The noise level the last step goes to ({@code final_sigmas_type}). */
  public enum FinalSigmas implements ConfigValue {
    /** σ = 0: the last step returns the clean estimate (always a first-order step). */
    ZERO("zero"),
    /** σ of training timestep 0. */
    SIGMA_MIN("sigma_min");

    private final String configName;

    FinalSigmas(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  /** How N inference timesteps are chosen from the training range ({@code timestep_spacing}). */
  public enum TimestepSpacing implements ConfigValue {
    /** round(linspace(0, T' − 1, N + 1)), highest first, 0 dropped. */
    LINSPACE("linspace"),
    /** Multiples of T' div (N + 1), plus {@code steps_offset}. */
    LEADING("leading"),
    /** round(arange(T', 0, −T/N)) − 1. */
    TRAILING("trailing");

    private final String configName;

    TimestepSpacing(String configName) {
      this.configName = configName;
    }

    @Override
    public String configName() {
      return configName;
    }
  }

  public DpmSolverConfig {
    NoiseSchedule.checkBetas(numTrainTimesteps, betaStart, betaEnd, betaSchedule);
    if (solverOrder < 1 || solverOrder > 3) {
      throw new IllegalArgumentException("solver_order must be 1, 2 or 3, got " + solverOrder);
    }
    if (predictionType == null) {
      throw new IllegalArgumentException("prediction_type is required");
    }
    if (solverType == null) {
      throw new IllegalArgumentException("solver_type is required");
    }
    if (finalSigmasType == null) {
      throw new IllegalArgumentException("final_sigmas_type is required");
    }
    if (Double.isNaN(lambdaMinClipped)) {
      throw new IllegalArgumentException("lambda_min_clipped must be a number or -Infinity");
    }
    if (timestepSpacing == null) {
      throw new IllegalArgumentException("timestep_spacing is required");
    }
    if (stepsOffset < 0) {
      throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
    }
  }

  /**
   * The scheduler of the base checkpoint {@code PixArt-alpha/PixArt-XL-2-1024-MS}: the class
   * defaults of {@code DPMSolverMultistepScheduler}, because diffusers' conversion script ({@code
   * scripts/convert_pixart_alpha_to_diffusers.py}) builds it as {@code
   * DPMSolverMultistepScheduler()} with no arguments. That gives linear β 1e-4 → 0.02 over 1000
   * steps (the same schedule PixArt trained with, IDDPM "linear"), dpmsolver++ of order 2 with the
   * midpoint rule, epsilon prediction, lower-order final steps, linspace spacing, no offset, λ
   * unclipped; {@code final_sigmas_type}, added to diffusers after the conversion, takes its
   * default "zero".
   */
  public static DpmSolverConfig pixartDefaults() {
    return new DpmSolverConfig(
        1000,
        0.0001,
        0.02,
        BetaSchedule.LINEAR,
        2,
        PredictionType.EPSILON,
        SolverType.MIDPOINT,
        true,
        false,
        FinalSigmas.ZERO,
        Double.NEGATIVE_INFINITY,
        TimestepSpacing.LINSPACE,
        0);
  }

  /**
   * Reads a diffusers {@code scheduler_config.json} of a {@code DPMSolverMultistepScheduler}.
   * Absent keys take that class's defaults (= {@link #pixartDefaults()}); {@code -Infinity} is
   * accepted as Python's json writes it for {@code lambda_min_clipped}; keys that only matter for
   * rejected options ({@code dynamic_thresholding_ratio}, {@code flow_shift}, …) are ignored.
   *
   * @throws WeightException if the file cannot be read or parsed, describes another scheduler, or
   *     asks for something unsupported (the message names the file and the key)
   */
  public static DpmSolverConfig fromJson(Path file) {
    return ConfigJson.read(file, "scheduler config", DpmSolverConfig::fromJson);
  }

  private static DpmSolverConfig fromJson(JsonNode c) {
    String className = text(c, "_class_name", CLASS_NAME);
    if (!className.equals(CLASS_NAME)) {
      throw new IllegalArgumentException(
          "_class_name is " + className + ", expected " + CLASS_NAME);
    }
    String algorithm = text(c, "algorithm_type", ALGORITHM);
    if (!algorithm.equals(ALGORITHM)) {
      throw new IllegalArgumentException(
          "algorithm_type '"
              + algorithm
              + "' is not supported (only the deterministic "
              + ALGORITHM
              + " is implemented)");
    }
    for (String key : MUST_BE_OFF) {
      if (bool(c, key, false)) {
        throw new IllegalArgumentException(key + " = true is not supported");
      }
    }
    if (present(c, "trained_betas") != null) {
      throw new IllegalArgumentException("trained_betas is not supported (must be null)");
    }
    JsonNode variance = present(c, "variance_type");
    if (variance != null) {
      throw new IllegalArgumentException(
          "variance_type "
              + variance
              + " is not supported (must be null: pass only the noise channels, the pipeline"
              + " splits the learned variance off)");
    }
    return new DpmSolverConfig(
        integer(c, "num_train_timesteps", 1000),
        number(c, "beta_start", 0.0001),
        number(c, "beta_end", 0.02),
        BetaSchedule.fromConfigName(text(c, "beta_schedule", "linear")),
        integer(c, "solver_order", 2),
        choice(c, "prediction_type", PredictionType.values(), PredictionType.EPSILON),
        choice(c, "solver_type", SolverType.values(), SolverType.MIDPOINT),
        bool(c, "lower_order_final", true),
        bool(c, "euler_at_final", false),
        choice(c, "final_sigmas_type", FinalSigmas.values(), FinalSigmas.ZERO),
        number(c, "lambda_min_clipped", Double.NEGATIVE_INFINITY),
        choice(c, "timestep_spacing", TimestepSpacing.values(), TimestepSpacing.LINSPACE),
        integer(c, "steps_offset", 0));
  }

  private static <E extends Enum<E> & ConfigValue> E choice(
      JsonNode c, String key, E[] values, E fallback) {
    String name = text(c, key, null);
    if (name == null) {
      return fallback;
    }
    StringBuilder allowed = new StringBuilder();
    for (E v : values) {
      String configName = v.configName();
      if (configName.equals(name)) {
        return v;
      }
      allowed.append(allowed.length() == 0 ? "" : ", ").append(configName);
    }
    throw new IllegalArgumentException(
        key + " '" + name + "' is not supported (use one of: " + allowed + ")");
  }
}
