package io.pixartdelta.pixart.schedulers;

import static io.pixartdelta.pixart.weights.ConfigJson.bool;
import static io.pixartdelta.pixart.weights.ConfigJson.integer;
import static io.pixartdelta.pixart.weights.ConfigJson.number;
import static io.pixartdelta.pixart.weights.ConfigJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The settings of diffusers' {@code LCMScheduler} that matter for PixArt-LCM, read from the
 * checkpoint's {@code scheduler/scheduler_config.json}. Names follow the JSON keys.
 *
 * <p>Only epsilon prediction is supported (that is what PixArt-LCM was distilled with), and none of
 * the options that change the maths for other checkpoints (thresholding, zero-SNR rescaling,
 * trained betas, the cosine schedule); {@link #fromJson} rejects a config that turns them on rather
 * than sampling differently from the reference.
 *
 * @param numTrainTimesteps T, the number of training noise levels (default 1000)
 * @param betaStart β₀ (diffusers default 0.00085; PixArt-LCM 0.0001)
 * @param betaEnd β_{T−1} (diffusers default 0.012; PixArt-LCM 0.02)
 * @param betaSchedule spacing of the β (diffusers default scaled_linear; PixArt-LCM linear)
 * @param originalInferenceSteps K, the length of the distillation schedule the N inference steps
 *     are picked from (default 50); also the largest allowed N
 * @param clipSample whether to clamp the x₀ estimate to ±{@code clipSampleRange} (default false;
 *     true only for pixel-space models)
 * @param clipSampleRange clamp bound when {@code clipSample} (default 1.0)
 * @param setAlphaToOne whether ᾱ "after the last step" is 1 or ᾱ₀ (default true; never used by LCM
 *     schedules, which always end on a training timestep)
 * @param stepsOffset offset added to inference timesteps by other schedulers (default 0; ignored by
 *     LCM, as in diffusers)
 * @param timestepSpacing spacing rule of other schedulers (default leading; ignored by LCM)
 * @param timestepScaling factor applied to t in the boundary-condition scalings c_skip/c_out
 *     (default 10, the original LCM's t/0.1); larger values make c_skip smaller
 */
public record LcmConfig(
    int numTrainTimesteps,
    double betaStart,
    double betaEnd,
    BetaSchedule betaSchedule,
    int originalInferenceSteps,
    boolean clipSample,
    double clipSampleRange,
    boolean setAlphaToOne,
    int stepsOffset,
    String timestepSpacing,
    double timestepScaling) {

  private static final Set<String> SPACINGS = Set.of("leading", "trailing", "linspace");

  public LcmConfig {
    NoiseSchedule.checkBetas(numTrainTimesteps, betaStart, betaEnd, betaSchedule);
    if (originalInferenceSteps < 1 || originalInferenceSteps > numTrainTimesteps) {
      throw new IllegalArgumentException(
          "original_inference_steps must be in 1.."
              + numTrainTimesteps
              + " (num_train_timesteps), got "
              + originalInferenceSteps);
    }
    if (!(clipSampleRange > 0) || Double.isInfinite(clipSampleRange)) {
      throw new IllegalArgumentException(
          "clip_sample_range must be positive and finite, got " + clipSampleRange);
    }
    if (stepsOffset < 0) {
      throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
    }
    if (timestepSpacing == null || !SPACINGS.contains(timestepSpacing)) {
      throw new IllegalArgumentException(
          "timestep_spacing must be one of " + SPACINGS + ", got " + timestepSpacing);
    }
    if (!(timestepScaling > 0) || Double.isInfinite(timestepScaling)) {
      throw new IllegalArgumentException(
          "timestep_scaling must be positive and finite, got " + timestepScaling);
    }
  }

  /**
   * PixArt-LCM's scheduler: {@code LCMScheduler(beta_start=0.0001, beta_end=0.02,
   * beta_schedule="linear", prediction_type="epsilon")} with every other setting at its default
   * (the {@code scheduler/scheduler_config.json} of Hugging Face {@code
   * PixArt-alpha/PixArt-LCM-XL-2-1024-MS}; identical to the fixtures' config).
   */
  public static LcmConfig pixartLcm() {
    return new LcmConfig(
        1000, 0.0001, 0.02, BetaSchedule.LINEAR, 50, false, 1.0, true, 0, "leading", 10.0);
  }

  /**
   * Reads a diffusers {@code scheduler_config.json}. Absent keys take diffusers' {@code
   * LCMScheduler} defaults (so an old config without {@code timestep_scaling} gets 10.0); keys this
   * class does not model are ignored unless they would change the result.
   *
   * @throws WeightException if the file cannot be read or parsed, is not an LCM config, or asks for
   *     something unsupported (the message names the file and the key)
   */
  public static LcmConfig fromJson(Path file) {
    return ConfigJson.read(file, "scheduler config", LcmConfig::fromJson);
  }

  private static LcmConfig fromJson(JsonNode c) {
    String className = text(c, "_class_name", "LCMScheduler");
    if (!className.equals("LCMScheduler")) {
      throw new IllegalArgumentException("_class_name is " + className + ", expected LCMScheduler");
    }
    String prediction = text(c, "prediction_type", "epsilon");
    if (!prediction.equals("epsilon")) {
      throw new IllegalArgumentException(
          "prediction_type '"
              + prediction
              + "' is not supported: PixArt-LCM predicts the noise (epsilon)");
    }
    requireOff(c, "thresholding");
    requireOff(c, "rescale_betas_zero_snr");
    JsonNode trained = c.get("trained_betas");
    if (trained != null && !trained.isNull()) {
      throw new IllegalArgumentException("trained_betas is not supported (must be null)");
    }
    return new LcmConfig(
        integer(c, "num_train_timesteps", 1000),
        number(c, "beta_start", 0.00085),
        number(c, "beta_end", 0.012),
        BetaSchedule.fromConfigName(text(c, "beta_schedule", "scaled_linear")),
        integer(c, "original_inference_steps", 50),
        bool(c, "clip_sample", false),
        number(c, "clip_sample_range", 1.0),
        bool(c, "set_alpha_to_one", true),
        integer(c, "steps_offset", 0),
        text(c, "timestep_spacing", "leading"),
        number(c, "timestep_scaling", 10.0));
  }

  private static void requireOff(JsonNode c, String key) {
    if (bool(c, key, false)) {
      throw new IllegalArgumentException(key + " = true is not supported");
    }
  }
}
