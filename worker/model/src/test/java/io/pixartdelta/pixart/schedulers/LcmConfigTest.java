package io.pixartdelta.pixart.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LcmConfigTest {
  @TempDir Path dir;

  private Path write(String json) throws IOException {
    Path p = dir.resolve("scheduler_config.json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void readsTheCheckpointConfig() {
    LcmConfig c = LcmConfig.fromJson(Fixtures.path("model/scheduler/scheduler_config.json"));
    assertThat(c).isEqualTo(LcmConfig.pixartLcm());
    assertThat(c.numTrainTimesteps()).isEqualTo(1000);
    assertThat(c.betaStart()).isEqualTo(0.0001);
    assertThat(c.betaEnd()).isEqualTo(0.02);
    assertThat(c.betaSchedule()).isEqualTo(BetaSchedule.LINEAR);
    assertThat(c.originalInferenceSteps()).isEqualTo(50);
    assertThat(c.clipSample()).isFalse();
    assertThat(c.timestepScaling()).isEqualTo(10.0);
  }

  @Test
  void absentKeysTakeTheDiffusersDefaults() throws IOException {
    LcmConfig c = LcmConfig.fromJson(write("{\"_class_name\": \"LCMScheduler\"}"));
    assertThat(c)
        .isEqualTo(
            new LcmConfig(
                1000,
                0.00085,
                0.012,
                BetaSchedule.SCALED_LINEAR,
                50,
                false,
                1.0,
                true,
                0,
                "leading",
                10.0));
  }

  @Test
  void oldConfigWithoutTimestepScalingGetsTen() throws IOException {
    // The 2023 checkpoint config (diffusers 0.22) has no timestep_scaling key.
    LcmConfig c =
        LcmConfig.fromJson(
            write(
                "{\"_class_name\": \"LCMScheduler\", \"beta_start\": 0.0001, \"beta_end\": 0.02,"
                    + " \"beta_schedule\": \"linear\", \"prediction_type\": \"epsilon\","
                    + " \"original_inference_steps\": 50, \"clip_sample\": false}"));
    assertThat(c).isEqualTo(LcmConfig.pixartLcm());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"prediction_type\": \"v_prediction\"|prediction_type 'v_prediction' is not supported",
        "\"prediction_type\": \"sample\"|prediction_type 'sample' is not supported",
        "\"thresholding\": true|thresholding = true is not supported",
        "\"rescale_betas_zero_snr\": true|rescale_betas_zero_snr = true is not supported",
        "\"trained_betas\": [0.1, 0.2]|trained_betas is not supported",
        "\"beta_schedule\": \"squaredcos_cap_v2\"|beta_schedule 'squaredcos_cap_v2' is not supported",
        "\"_class_name\": \"DPMSolverMultistepScheduler\"|expected LCMScheduler",
        "\"num_train_timesteps\": 1|num_train_timesteps must be at least 2",
        "\"num_train_timesteps\": 10.5|num_train_timesteps must be an integer",
        "\"beta_start\": 0|beta_start must be in (0, 1)",
        "\"beta_end\": 1.5|beta_end must be in (0, 1)",
        "\"original_inference_steps\": 1001|original_inference_steps must be in 1..1000",
        "\"clip_sample_range\": -1|clip_sample_range must be positive",
        "\"clip_sample\": \"no\"|clip_sample must be true or false",
        "\"steps_offset\": -1|steps_offset must be >= 0",
        "\"timestep_spacing\": \"random\"|timestep_spacing must be one of",
        "\"timestep_scaling\": 0|timestep_scaling must be positive",
        "\"beta_schedule\": 3|beta_schedule must be a string"
      })
  void rejectsUnsupportedOrInvalidSettingsNamingTheKey(String entry, String message)
      throws IOException {
    Path p = write("{" + entry + "}");
    assertThatThrownBy(() -> LcmConfig.fromJson(p))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining(message);
  }

  @Test
  void unreadableOrMalformedFilesAreWeightExceptions() throws IOException {
    assertThatThrownBy(() -> LcmConfig.fromJson(dir.resolve("missing.json")))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("missing.json");
    Path broken = write("{\"beta_start\": ");
    assertThatThrownBy(() -> LcmConfig.fromJson(broken)).isInstanceOf(WeightException.class);
    Path array = write("[1, 2]");
    assertThatThrownBy(() -> LcmConfig.fromJson(array))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void compactConstructorNamesTheBadField() {
    assertThatThrownBy(
            () -> new LcmConfig(1000, 0.0001, 0.02, null, 50, false, 1.0, true, 0, "leading", 10.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beta_schedule");
    assertThatThrownBy(
            () ->
                new LcmConfig(
                    1000,
                    0.0001,
                    0.02,
                    BetaSchedule.LINEAR,
                    0,
                    false,
                    1.0,
                    true,
                    0,
                    "leading",
                    10.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("original_inference_steps");
    assertThatThrownBy(
            () ->
                new LcmConfig(
                    1000, 0.0001, 0.02, BetaSchedule.LINEAR, 50, false, 1.0, true, 0, null, 10.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timestep_spacing");
  }
}
