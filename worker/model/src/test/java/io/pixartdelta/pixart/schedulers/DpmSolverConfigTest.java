package io.pixartdelta.pixart.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DpmSolverConfigTest {
  /**
   * What {@code DPMSolverMultistepScheduler().save_config()} writes with the diffusers release the
   * base checkpoint was converted with (0.22): every constructor default, {@code -Infinity} as
   * Python's json spells it, no {@code final_sigmas_type} key yet.
   */
  private static final String PIXART_XL_2_1024_MS =
      "{\n"
          + "  \"_class_name\": \"DPMSolverMultistepScheduler\",\n"
          + "  \"_diffusers_version\": \"0.22.0.dev0\",\n"
          + "  \"algorithm_type\": \"dpmsolver++\",\n"
          + "  \"beta_end\": 0.02,\n"
          + "  \"beta_schedule\": \"linear\",\n"
          + "  \"beta_start\": 0.0001,\n"
          + "  \"dynamic_thresholding_ratio\": 0.995,\n"
          + "  \"euler_at_final\": false,\n"
          + "  \"lambda_min_clipped\": -Infinity,\n"
          + "  \"lower_order_final\": true,\n"
          + "  \"num_train_timesteps\": 1000,\n"
          + "  \"prediction_type\": \"epsilon\",\n"
          + "  \"sample_max_value\": 1.0,\n"
          + "  \"solver_order\": 2,\n"
          + "  \"solver_type\": \"midpoint\",\n"
          + "  \"steps_offset\": 0,\n"
          + "  \"thresholding\": false,\n"
          + "  \"timestep_spacing\": \"linspace\",\n"
          + "  \"trained_betas\": null,\n"
          + "  \"use_karras_sigmas\": false,\n"
          + "  \"use_lu_lambdas\": false,\n"
          + "  \"variance_type\": null\n"
          + "}\n";

  @TempDir Path dir;

  private Path write(String json) throws IOException {
    Path p = dir.resolve("scheduler_config.json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void readsTheBaseCheckpointConfig() throws IOException {
    DpmSolverConfig c = DpmSolverConfig.fromJson(write(PIXART_XL_2_1024_MS));
    assertThat(c).isEqualTo(DpmSolverConfig.pixartDefaults());
    assertThat(c.numTrainTimesteps()).isEqualTo(1000);
    assertThat(c.betaStart()).isEqualTo(0.0001);
    assertThat(c.betaEnd()).isEqualTo(0.02);
    assertThat(c.betaSchedule()).isEqualTo(BetaSchedule.LINEAR);
    assertThat(c.solverOrder()).isEqualTo(2);
    assertThat(c.predictionType()).isEqualTo(DpmSolverConfig.PredictionType.EPSILON);
    assertThat(c.solverType()).isEqualTo(DpmSolverConfig.SolverType.MIDPOINT);
    assertThat(c.lowerOrderFinal()).isTrue();
    assertThat(c.eulerAtFinal()).isFalse();
    assertThat(c.finalSigmasType()).isEqualTo(DpmSolverConfig.FinalSigmas.ZERO);
    assertThat(c.lambdaMinClipped()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(c.timestepSpacing()).isEqualTo(DpmSolverConfig.TimestepSpacing.LINSPACE);
    assertThat(c.stepsOffset()).isZero();
  }

  @Test
  void absentKeysTakeTheDiffusersDefaults() throws IOException {
    assertThat(DpmSolverConfig.fromJson(write("{}"))).isEqualTo(DpmSolverConfig.pixartDefaults());
  }

  @Test
  void readsEverySupportedOption() throws IOException {
    DpmSolverConfig c =
        DpmSolverConfig.fromJson(
            write(
                "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"num_train_timesteps\": 500,"
                    + " \"beta_start\": 0.00085, \"beta_end\": 0.012, \"beta_schedule\":"
                    + " \"scaled_linear\", \"solver_order\": 1, \"prediction_type\":"
                    + " \"v_prediction\", \"solver_type\": \"heun\", \"lower_order_final\": false,"
                    + " \"euler_at_final\": true, \"final_sigmas_type\": \"sigma_min\","
                    + " \"lambda_min_clipped\": -5.1, \"timestep_spacing\": \"leading\","
                    + " \"steps_offset\": 1, \"use_karras_sigmas\": false, \"flow_shift\": 1.0}"));
    assertThat(c)
        .isEqualTo(
            new DpmSolverConfig(
                500,
                0.00085,
                0.012,
                BetaSchedule.SCALED_LINEAR,
                1,
                DpmSolverConfig.PredictionType.V_PREDICTION,
                DpmSolverConfig.SolverType.HEUN,
                false,
                true,
                DpmSolverConfig.FinalSigmas.SIGMA_MIN,
                -5.1,
                DpmSolverConfig.TimestepSpacing.LEADING,
                1));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"_class_name\": \"LCMScheduler\"|expected DPMSolverMultistepScheduler",
        "\"algorithm_type\": \"dpmsolver\"|algorithm_type 'dpmsolver' is not supported",
        "\"algorithm_type\": \"sde-dpmsolver++\"|algorithm_type 'sde-dpmsolver++' is not supported",
        "\"solver_order\": 4|solver_order must be 1, 2 or 3",
        "\"solver_order\": 2.5|solver_order must be an integer",
        "\"prediction_type\": \"flow_prediction\"|prediction_type 'flow_prediction' is not supported",
        "\"solver_type\": \"logrho\"|solver_type 'logrho' is not supported",
        "\"final_sigmas_type\": \"max\"|final_sigmas_type 'max' is not supported",
        "\"timestep_spacing\": \"karras\"|timestep_spacing 'karras' is not supported",
        "\"thresholding\": true|thresholding = true is not supported",
        "\"rescale_betas_zero_snr\": true|rescale_betas_zero_snr = true is not supported",
        "\"use_karras_sigmas\": true|use_karras_sigmas = true is not supported",
        "\"use_lu_lambdas\": true|use_lu_lambdas = true is not supported",
        "\"use_exponential_sigmas\": true|use_exponential_sigmas = true is not supported",
        "\"use_beta_sigmas\": true|use_beta_sigmas = true is not supported",
        "\"use_flow_sigmas\": true|use_flow_sigmas = true is not supported",
        "\"use_dynamic_shifting\": true|use_dynamic_shifting = true is not supported",
        "\"trained_betas\": [0.1, 0.2]|trained_betas is not supported",
        "\"variance_type\": \"learned_range\"|variance_type \"learned_range\" is not supported",
        "\"beta_schedule\": \"squaredcos_cap_v2\"|beta_schedule 'squaredcos_cap_v2' is not supported",
        "\"lambda_min_clipped\": NaN|lambda_min_clipped must be a number",
        "\"lambda_min_clipped\": \"low\"|lambda_min_clipped must be a number",
        "\"num_train_timesteps\": 1|num_train_timesteps must be at least 2",
        "\"beta_end\": 1.5|beta_end must be in (0, 1)",
        "\"steps_offset\": -1|steps_offset must be >= 0",
        "\"lower_order_final\": \"yes\"|lower_order_final must be true or false",
      })
  void rejectsUnsupportedOptionsNamingTheKey(String entry, String message) throws IOException {
    Path p = write("{" + entry + "}");
    assertThatThrownBy(() -> DpmSolverConfig.fromJson(p))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining(message);
  }

  @Test
  void unreadableFilesAreWeightExceptions() throws IOException {
    assertThatThrownBy(() -> DpmSolverConfig.fromJson(dir.resolve("missing.json")))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("missing scheduler config");
    Path array = write("[1, 2]");
    assertThatThrownBy(() -> DpmSolverConfig.fromJson(array))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("is not a JSON object");
  }

  @Test
  void constructorNamesTheBadField() {
    DpmSolverConfig d = DpmSolverConfig.pixartDefaults();
    assertThatThrownBy(
            () ->
                new DpmSolverConfig(
                    d.numTrainTimesteps(),
                    d.betaStart(),
                    d.betaEnd(),
                    null,
                    d.solverOrder(),
                    d.predictionType(),
                    d.solverType(),
                    d.lowerOrderFinal(),
                    d.eulerAtFinal(),
                    d.finalSigmasType(),
                    d.lambdaMinClipped(),
                    d.timestepSpacing(),
                    d.stepsOffset()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beta_schedule");
    assertThatThrownBy(
            () ->
                new DpmSolverConfig(
                    d.numTrainTimesteps(),
                    0,
                    d.betaEnd(),
                    d.betaSchedule(),
                    d.solverOrder(),
                    d.predictionType(),
                    d.solverType(),
                    d.lowerOrderFinal(),
                    d.eulerAtFinal(),
                    d.finalSigmasType(),
                    d.lambdaMinClipped(),
                    d.timestepSpacing(),
                    d.stepsOffset()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beta_start");
  }
}
