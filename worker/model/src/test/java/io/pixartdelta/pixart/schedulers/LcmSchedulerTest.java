package io.pixartdelta.pixart.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.TestDevice;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LcmSchedulerTest {
  private static JsonNode manifest;

  @BeforeAll
  static void readManifest() throws IOException {
    manifest = new ObjectMapper().readTree(Fixtures.path("manifest.json").toFile());
  }

  private static JsonNode fixtureCase(String id) {
    for (JsonNode c : manifest.get("cases")) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new AssertionError("no case " + id);
  }

  private static LcmScheduler tinyModelScheduler() {
    return new LcmScheduler(
        LcmConfig.fromJson(Fixtures.path("model/scheduler/scheduler_config.json")));
  }

  @Test
  @Tag("parity")
  void alphasCumprodMatchesTheReferenceTableExactly() {
    float[] expected = Fixtures.npy("components/scheduler/alphas_cumprod.npy").toFloatArray();
    float[] actual = tinyModelScheduler().alphasCumprod();
    assertThat(actual).hasSize(1000);
    for (int t = 0; t < expected.length; t++) {
      assertThat(Float.floatToRawIntBits(actual[t]))
          .as("alphas_cumprod[%d] = %s, expected %s", t, actual[t], expected[t])
          .isEqualTo(Float.floatToRawIntBits(expected[t]));
    }
    assertThat(tinyModelScheduler().finalAlphaCumprod()).isEqualTo(1f);
  }

  @Test
  @Tag("parity")
  void scalingsMatchTheReferenceFloat32ValuesExactly() {
    JsonNode scalings = fixtureCase("components/scheduler/timesteps").get("scalings_float32");
    LcmScheduler scheduler = tinyModelScheduler();
    int checked = 0;
    for (Map.Entry<String, JsonNode> e : scalings.properties()) {
      int t = Integer.parseInt(e.getKey());
      BoundaryScalings s = scheduler.scalings(t);
      assertThat(scheduler.alphaCumprod(t))
          .as("alpha t=%d", t)
          .isEqualTo((float) e.getValue().get("alphas_cumprod").asDouble());
      assertThat(s.cSkip())
          .as("c_skip t=%d", t)
          .isEqualTo((float) e.getValue().get("c_skip").asDouble());
      assertThat(s.cOut())
          .as("c_out t=%d", t)
          .isEqualTo((float) e.getValue().get("c_out").asDouble());
      checked++;
    }
    assertThat(checked).isEqualTo(22);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  @Tag("parity")
  void diffusersTimestepsMatchTheFixtures(int steps) {
    LcmScheduler scheduler = tinyModelScheduler();
    scheduler.setTimesteps(steps);
    long[] expected =
        Fixtures.npy("components/scheduler/timesteps_" + steps + ".npy").toLongArray();
    assertThat(scheduler.timesteps()).hasSize(steps);
    for (int i = 0; i < steps; i++) {
      assertThat((long) scheduler.timesteps()[i]).isEqualTo(expected[i]);
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "1|999",
        "2|999 499",
        "3|999 679 359",
        "4|999 759 519 279",
        "5|999 799 599 399 199",
        "6|999 839 679 519 359 199",
        "7|999 859 719 579 439 299 159",
        "8|999 879 759 639 519 399 279 159"
      })
  void originalPixartTimestepsFollowTheSpecTable(int steps, String expected) {
    LcmScheduler scheduler = new LcmScheduler(LcmConfig.pixartLcm());
    scheduler.setTimesteps(steps, TimestepRule.ORIGINAL_PIXART);
    int[] want = java.util.Arrays.stream(expected.split(" ")).mapToInt(Integer::parseInt).toArray();
    assertThat(scheduler.timesteps()).containsExactly(want);
  }

  @Test
  void allowsUpToOriginalInferenceStepsAndRejectsTheRest() {
    LcmScheduler scheduler = new LcmScheduler(LcmConfig.pixartLcm());
    scheduler.setTimesteps(50);
    int[] all = scheduler.timesteps();
    assertThat(all[0]).isEqualTo(999);
    assertThat(all[49]).isEqualTo(19);
    for (int bad : new int[] {0, -1, 51}) {
      assertThatThrownBy(() -> scheduler.setTimesteps(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("steps must be in 1..50");
    }
    assertThatThrownBy(() -> scheduler.setTimesteps(4, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LcmScheduler(LcmConfig.pixartLcm()).timesteps())
        .isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"step_first", "step_middle", "step_last", "step_single_step"})
  @Tag("parity")
  void stepMatchesTheReference(String name) {
    JsonNode c = fixtureCase("components/scheduler/" + name);
    LcmScheduler scheduler = tinyModelScheduler();
    scheduler.setTimesteps(c.get("num_inference_steps").asInt());
    int stepIndex = c.get("step_index").asInt();
    assertThat(scheduler.timesteps()[stepIndex]).isEqualTo(c.get("timestep").asInt());
    // fp32 on the device under test, as in the pipeline whatever the model's compute type.
    try (NDManager manager = TestDevice.newManager()) {
      NDArray modelOutput = Fixtures.array(manager, "components/scheduler/model_output.npy");
      NDArray sample = Fixtures.array(manager, "components/scheduler/sample.npy");
      NDArray noise =
          c.get("noise_injected").asBoolean()
              ? Fixtures.array(manager, "components/scheduler/" + name + "/noise.npy")
              : null;
      SchedulerOutput out = scheduler.step(modelOutput, stepIndex, sample, noise);
      JsonNode outputs = c.get("outputs");
      for (String key : new String[] {"prev_sample", "denoised"}) {
        JsonNode o = outputs.get(key);
        NDArray expected = Fixtures.array(manager, o.get("file").asText());
        NDArray actual = key.equals("denoised") ? out.denoised() : out.prevSample();
        Parity.assertAllClose(
            actual,
            expected,
            o.get("tolerance").get("atol").asDouble(),
            o.get("tolerance").get("rtol").asDouble());
      }
      assertThat(out.prevSample().getManager()).isSameAs(manager);
      assertThat(out.denoised().getManager()).isSameAs(manager);
      assertThat(modelOutput.getManager()).isSameAs(manager);
      assertThat(sample.isReleased()).isFalse();
    }
  }

  @Test
  void prevSampleRenoisesTheEstimateToTheNextTimestep() {
    // Independent host computation of the last line of the step in float32.
    LcmScheduler scheduler = tinyModelScheduler();
    scheduler.setTimesteps(4);
    float alphaNext = Fixtures.npy("components/scheduler/alphas_cumprod.npy").toFloatArray()[499];
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray modelOutput = Fixtures.array(manager, "components/scheduler/model_output.npy");
      NDArray sample = Fixtures.array(manager, "components/scheduler/sample.npy");
      NDArray noise = Fixtures.array(manager, "components/scheduler/step_middle/noise.npy");
      SchedulerOutput out = scheduler.step(modelOutput, 1, sample, noise);
      float[] d = out.denoised().toFloatArray();
      float[] z = noise.toFloatArray();
      float[] expected = new float[d.length];
      float a = (float) Math.sqrt(alphaNext);
      float b = (float) Math.sqrt(1f - alphaNext);
      for (int i = 0; i < d.length; i++) {
        expected[i] = a * d[i] + b * z[i];
      }
      Parity.assertAllClose(out.prevSample().toFloatArray(), expected, 1e-6, 1e-6);
    }
  }

  @Test
  void lastStepReturnsTheEstimateWithoutNoise() {
    LcmScheduler scheduler = tinyModelScheduler();
    scheduler.setTimesteps(2);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray eps = manager.ones(new Shape(1, 4, 2, 2)).mul(0.5f);
      NDArray x = manager.ones(new Shape(1, 4, 2, 2));
      SchedulerOutput out = scheduler.step(eps, 1, x, null);
      assertThat(out.prevSample()).isSameAs(out.denoised());
      // t = 499: x̂₀ = (1 − √(1−ᾱ)·0.5)/√ᾱ, c_out = 1, c_skip ≈ 1e-8.
      double alpha = scheduler.alphaCumprod(499);
      double x0 = (1 - Math.sqrt(1 - alpha) * 0.5) / Math.sqrt(alpha);
      BoundaryScalings s = scheduler.scalings(499);
      double expected = s.cOut() * x0 + s.cSkip() * 1.0;
      for (float v : out.denoised().toFloatArray()) {
        assertThat((double) v).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  @Test
  void clipSampleClampsTheCleanEstimate() {
    LcmConfig base = LcmConfig.pixartLcm();
    LcmConfig clipped =
        new LcmConfig(
            base.numTrainTimesteps(),
            base.betaStart(),
            base.betaEnd(),
            base.betaSchedule(),
            base.originalInferenceSteps(),
            true,
            1.5,
            base.setAlphaToOne(),
            base.stepsOffset(),
            base.timestepSpacing(),
            base.timestepScaling());
    LcmScheduler scheduler = new LcmScheduler(clipped);
    scheduler.setTimesteps(1);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray eps = manager.create(new float[] {-1, 0, 1, 0}, new Shape(1, 1, 2, 2));
      NDArray x = manager.create(new float[] {0, 0.001f, 0, -0.001f}, new Shape(1, 1, 2, 2));
      float[] d = scheduler.step(eps, 0, x, null).denoised().toFloatArray();
      // t = 999: x̂₀ ≈ ±157·(x − ε̂) before clamping; c_skip·x is ~1e-12.
      assertThat(d[0]).isCloseTo(1.5f, org.assertj.core.data.Offset.offset(1e-6f));
      assertThat(d[1]).isCloseTo(0.001f / 0.00635282f, org.assertj.core.data.Offset.offset(1e-3f));
      assertThat(d[2]).isCloseTo(-1.5f, org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void rejectsInvalidStepArguments() {
    LcmScheduler scheduler = tinyModelScheduler();
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.zeros(new Shape(1, 4, 2, 2));
      NDArray other = manager.zeros(new Shape(1, 4, 2, 3));
      assertThatThrownBy(() -> scheduler.step(x, 0, x, x))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("setTimesteps");
      scheduler.setTimesteps(4);
      assertThatThrownBy(() -> scheduler.step(x, -1, x, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("stepIndex");
      assertThatThrownBy(() -> scheduler.step(x, 4, x, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("stepIndex");
      assertThatThrownBy(() -> scheduler.step(x, 0, x, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("noise is required");
      assertThatThrownBy(() -> scheduler.step(x, 3, x, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("last step");
      assertThatThrownBy(() -> scheduler.step(other, 0, x, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("modelOutput shape");
      assertThatThrownBy(() -> scheduler.step(x, 0, x, other))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("noise shape");
      assertThatThrownBy(() -> scheduler.step(null, 0, x, x))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> scheduler.alphaCumprod(1000))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void scaledLinearScheduleSquaresALinearRampOfRootBetas() {
    LcmConfig base = LcmConfig.pixartLcm();
    LcmConfig scaled =
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
            10.0);
    float[] table = new LcmScheduler(scaled).alphasCumprod();
    // Independent double-precision computation; float32 rounding stays within a few ulp.
    double product = 1;
    double a = Math.sqrt(0.00085);
    double b = Math.sqrt(0.012);
    for (int t = 0; t < 1000; t++) {
      double rootBeta = a + (b - a) * t / 999.0;
      product *= 1 - rootBeta * rootBeta;
      assertThat((double) table[t])
          .isCloseTo(product, org.assertj.core.data.Percentage.withPercentage(1e-3));
    }
    assertThat(base.betaSchedule()).isEqualTo(BetaSchedule.LINEAR);
  }
}
