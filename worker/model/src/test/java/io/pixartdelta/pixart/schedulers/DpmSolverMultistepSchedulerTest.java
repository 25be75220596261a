package io.pixartdelta.pixart.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Schedule tables, timesteps, solver orders, argument checks and memory behaviour of {@link
 * DpmSolverMultistepScheduler}.
 *
 * <p>Expected timesteps were computed with NumPy 2.4 by evaluating diffusers' spacing expressions
 * for {@code DPMSolverMultistepScheduler.set_timesteps} (e.g. {@code np.linspace(0, 999, N +
 * 1).round()[::-1][:-1]} for linspace, {@code np.arange(1000, 0, -1000 / N).round() - 1} for
 * trailing), and, for {@code lambda_min_clipped}, numpy's float32 λ table over the fixture's ᾱ with
 * {@code np.searchsorted}; they are constants here, not outputs of the class under test.
 */
class DpmSolverMultistepSchedulerTest {
  /** linspace timesteps (the PixArt default) for the step counts the tests use. */
  static final Map<Integer, int[]> LINSPACE =
      Map.of(
          1, new int[] {999},
          2, new int[] {999, 500},
          4, new int[] {999, 749, 500, 250},
          14, new int[] {999, 928, 856, 785, 714, 642, 571, 500, 428, 357, 285, 214, 143, 71},
          20,
              new int[] {
                999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200,
                150, 100, 50
              },
          25,
              new int[] {
                999, 959, 919, 879, 839, 799, 759, 719, 679, 639, 599, 559, 519, 480, 440, 400, 360,
                320, 280, 240, 200, 160, 120, 80, 40
              });

  @TempDir Path dir;

  private DpmSolverMultistepScheduler fromJson(String json) throws IOException {
    Path p = dir.resolve("scheduler_config.json");
    Files.writeString(p, json);
    return new DpmSolverMultistepScheduler(DpmSolverConfig.fromJson(p));
  }

  private static DpmSolverMultistepScheduler pixart() {
    return new DpmSolverMultistepScheduler(DpmSolverConfig.pixartDefaults());
  }

  @Test
  void alphasCumprodMatchesTheReferenceTableExactly() {
    // The base model's schedule (linear 1e-4 → 0.02, 1000 steps) is the LCM fixture's schedule.
    float[] expected = Fixtures.npy("components/scheduler/alphas_cumprod.npy").toFloatArray();
    float[] actual = pixart().alphasCumprod();
    assertThat(actual).hasSize(1000);
    for (int t = 0; t < expected.length; t++) {
      assertThat(Float.floatToRawIntBits(actual[t]))
          .as("alphas_cumprod[%d]", t)
          .isEqualTo(Float.floatToRawIntBits(expected[t]));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 14, 20, 25})
  void linspaceTimestepsMatchNumpy(int steps) {
    DpmSolverMultistepScheduler s = pixart();
    s.setTimesteps(steps);
    assertThat(s.timesteps()).isEqualTo(LINSPACE.get(steps));
  }

  @Test
  void trailingTimestepsMatchNumpy() throws IOException {
    DpmSolverMultistepScheduler s = fromJson("{\"timestep_spacing\": \"trailing\"}");
    s.setTimesteps(1);
    assertThat(s.timesteps()).containsExactly(999);
    s.setTimesteps(4);
    assertThat(s.timesteps()).containsExactly(999, 749, 499, 249);
    s.setTimesteps(14);
    assertThat(s.timesteps())
        .containsExactly(999, 928, 856, 785, 713, 642, 570, 499, 428, 356, 285, 213, 142, 70);
    s.setTimesteps(25);
    assertThat(s.timesteps())
        .containsExactly(
            999, 959, 919, 879, 839, 799, 759, 719, 679, 639, 599, 559, 519, 479, 439, 399, 359,
            319, 279, 239, 199, 159, 119, 79, 39);
  }

  @Test
  void leadingTimestepsAddTheOffset() throws IOException {
    DpmSolverMultistepScheduler s =
        fromJson("{\"timestep_spacing\": \"leading\", \"steps_offset\": 1}");
    s.setTimesteps(1);
    assertThat(s.timesteps()).containsExactly(501);
    s.setTimesteps(4);
    assertThat(s.timesteps()).containsExactly(801, 601, 401, 201);
    s.setTimesteps(14);
    assertThat(s.timesteps())
        .containsExactly(925, 859, 793, 727, 661, 595, 529, 463, 397, 331, 265, 199, 133, 67);
  }

  @Test
  void lambdaClippingShortensTheRange() throws IOException {
    // λ(t) < −4 for t ≥ 889 on this schedule, so the usable range ends at 888.
    DpmSolverMultistepScheduler lin = fromJson("{\"lambda_min_clipped\": -4.0}");
    lin.setTimesteps(4);
    assertThat(lin.timesteps()).containsExactly(888, 666, 444, 222);
    DpmSolverMultistepScheduler trailing =
        fromJson("{\"lambda_min_clipped\": -4.0, \"timestep_spacing\": \"trailing\"}");
    trailing.setTimesteps(10);
    assertThat(trailing.timesteps()).containsExactly(888, 788, 688, 588, 488, 388, 288, 188, 88);
    assertThat(trailing.sigmas()).hasSize(10);
    DpmSolverMultistepScheduler leading =
        fromJson("{\"lambda_min_clipped\": -2.5, \"timestep_spacing\": \"leading\"}");
    leading.setTimesteps(4);
    assertThat(leading.timesteps()).containsExactly(560, 420, 280, 140);
  }

  @Test
  void spacingsThatRepeatOrLeaveTheRangeAreRejected() throws IOException {
    // numpy gives a duplicated timestep for linspace N = 1000 and a −1 for trailing N = 61.
    assertThatThrownBy(() -> pixart().setTimesteps(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linspace spacing gives unusable timesteps for 1000 steps");
    DpmSolverMultistepScheduler trailing = fromJson("{\"timestep_spacing\": \"trailing\"}");
    assertThatThrownBy(() -> trailing.setTimesteps(61))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trailing spacing gives unusable timesteps for 61 steps")
        .hasMessageContaining("-1]");
    assertThatThrownBy(() -> pixart().setTimesteps(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("steps must be in 1..1000");
    assertThatThrownBy(() -> pixart().setTimesteps(1001))
        .isInstanceOf(IllegalArgumentException.class);
    DpmSolverMultistepScheduler s = pixart();
    s.setTimesteps(999);
    assertThat(s.timesteps()).hasSize(999).startsWith(999, 998).endsWith(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 25})
  void sigmasAreTheNoiseToSignalRatiosThenZero(int steps) {
    float[] abar = Fixtures.npy("components/scheduler/alphas_cumprod.npy").toFloatArray();
    DpmSolverMultistepScheduler s = pixart();
    s.setTimesteps(steps);
    float[] sigmas = s.sigmas();
    int[] ts = LINSPACE.get(steps);
    assertThat(sigmas).hasSize(steps + 1);
    for (int i = 0; i < steps; i++) {
      double a = abar[ts[i]];
      double expected = Math.sqrt((1 - a) / a);
      assertThat((double) sigmas[i]).as("sigma %d", i).isCloseTo(expected, within(expected));
    }
    assertThat(sigmas[steps]).isZero();
    // σ at t = 999 is about 157.4: the first x̂₀ divides by α ≈ 0.00635.
    assertThat(sigmas[0]).isBetween(157f, 158f);
  }

  @Test
  void sigmaMinEndsOnTheSmallestTrainingSigma() throws IOException {
    float[] abar = Fixtures.npy("components/scheduler/alphas_cumprod.npy").toFloatArray();
    DpmSolverMultistepScheduler s = fromJson("{\"final_sigmas_type\": \"sigma_min\"}");
    s.setTimesteps(4);
    double expected = Math.sqrt((1.0 - abar[0]) / abar[0]);
    assertThat((double) s.sigmas()[4]).isCloseTo(expected, within(expected));
  }

  private static org.assertj.core.data.Offset<Double> within(double expected) {
    return org.assertj.core.data.Offset.offset(3e-7 * expected);
  }

  @Test
  void ordersFollowTheLowerOrderRules() throws IOException {
    assertThat(orders(pixart(), 1)).containsExactly(1);
    assertThat(orders(pixart(), 2)).containsExactly(1, 1);
    assertThat(orders(pixart(), 4)).containsExactly(1, 2, 2, 1);
    // A zero final σ forces a first-order last step even for long runs.
    int[] twenty = orders(pixart(), 20);
    assertThat(twenty[0]).isEqualTo(1);
    assertThat(twenty[19]).isEqualTo(1);
    for (int i = 1; i < 19; i++) {
      assertThat(twenty[i]).isEqualTo(2);
    }
    DpmSolverMultistepScheduler sigmaMin = fromJson("{\"final_sigmas_type\": \"sigma_min\"}");
    assertThat(orders(sigmaMin, 10)).endsWith(2, 1);
    assertThat(orders(sigmaMin, 20)).endsWith(2, 2);
    DpmSolverMultistepScheduler euler =
        fromJson("{\"final_sigmas_type\": \"sigma_min\", \"euler_at_final\": true}");
    assertThat(orders(euler, 20)).endsWith(2, 1);
    DpmSolverMultistepScheduler noLowerFinal =
        fromJson("{\"final_sigmas_type\": \"sigma_min\", \"lower_order_final\": false}");
    assertThat(orders(noLowerFinal, 4)).containsExactly(1, 2, 2, 2);
    assertThat(orders(fromJson("{\"solver_order\": 1}"), 4)).containsExactly(1, 1, 1, 1);
    // Third order needs two earlier x̂₀ and steps down over the last two steps of short runs.
    DpmSolverMultistepScheduler third =
        fromJson("{\"solver_order\": 3, \"final_sigmas_type\": \"sigma_min\"}");
    assertThat(orders(third, 6)).containsExactly(1, 2, 3, 3, 2, 1);
    assertThat(orders(third, 20)).startsWith(1, 2, 3).endsWith(3, 3);
    assertThat(orders(fromJson("{\"solver_order\": 3}"), 20)).endsWith(3, 1);
  }

  private static int[] orders(DpmSolverMultistepScheduler s, int steps) {
    s.setTimesteps(steps);
    int[] out = new int[steps];
    for (int i = 0; i < steps; i++) {
      out[i] = s.orderAt(i);
    }
    return out;
  }

  @Test
  void noiseSigmaIsOneAndInputsAreNotScaled() {
    DpmSolverMultistepScheduler s = pixart();
    assertThat(s.initNoiseSigma()).isEqualTo(1f);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.ones(new Shape(1, 4, 2, 2));
      assertThat(s.scaleModelInput(x, 0)).isSameAs(x);
    }
  }

  @Test
  void misuseIsRejectedWithAClearMessage() {
    DpmSolverMultistepScheduler s = pixart();
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.ones(new Shape(1, 4, 2, 2));
      assertThatThrownBy(() -> s.step(x, 0, x))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("setTimesteps");
      assertThatThrownBy(s::timesteps).isInstanceOf(IllegalStateException.class);
      s.setTimesteps(4);
      assertThatThrownBy(() -> s.step(x, 4, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("stepIndex must be in 0..3");
      assertThatThrownBy(() -> s.step(m.ones(new Shape(1, 4, 2, 3)), 0, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("shape");
      assertThatThrownBy(() -> s.step(x.toType(DataType.FLOAT16, false), 0, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dtype");
      assertThatThrownBy(() -> s.step(x, 2, x))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("expected step 0, got 2");
      SchedulerOutput first = s.step(x, 0, x);
      first.denoised().close();
      assertThatThrownBy(() -> s.step(x, 1, first.prevSample()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("keep SchedulerOutput.denoised open");
      // Step 0 starts a new run at any time.
      SchedulerOutput again = s.step(x, 0, x);
      assertThat(s.step(x, 1, again.prevSample()).prevSample().getShape()).isEqualTo(x.getShape());
    }
  }

  @Test
  void stepsLeaveOnlyTheirOutputsOnTheCallersManager() {
    DpmSolverMultistepScheduler s = pixart();
    try (NDManager m = NDManager.newBaseManager()) {
      Shape shape = new Shape(2, 4, 8, 8);
      NDArray eps = m.randomNormal(shape);
      NDArray x = m.randomNormal(shape);
      for (int run = 0; run < 3; run++) {
        s.setTimesteps(5);
        NDArray sample = x;
        for (int i = 0; i < 5; i++) {
          int before = m.getManagedArrays().size();
          SchedulerOutput out = s.step(eps, i, sample);
          assertThat(out.prevSample().getManager()).isSameAs(m);
          assertThat(out.denoised().getManager()).isSameAs(m);
          assertThat(eps.getManager()).isSameAs(m);
          assertThat(sample.getManager()).isSameAs(m);
          assertThat(m.getManagedArrays()).as("step %d", i).hasSize(before + 2);
          if (sample != x) {
            sample.close();
          }
          sample = out.prevSample();
        }
        sample.close();
      }
    }
  }
}
