package io.pixartdelta.pixart.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Step outputs of {@link DpmSolverMultistepScheduler} over whole runs, checked against values
 * derived independently of it.
 *
 * <p>How: {@link DpmSolverPlusPlusReference} is a separate float64 implementation written from the
 * DPM-Solver++ paper (first order as DDIM, second order as Algorithm 2's 2M update in λ =
 * log(α/σ)), fed with the reference's own float32 ᾱ table ({@code
 * components/scheduler/alphas_cumprod.npy}, the same linear 1e-4 → 0.02 schedule the base PixArt
 * scheduler uses) and the timesteps that numpy's evaluation of diffusers' spacing formula gives
 * (see {@link DpmSolverMultistepSchedulerTest}). Both run the same sequence of model outputs from
 * the same start; the reference never sees the Java results, so float32 rounding accumulates over
 * the run. Outputs must agree within the fixtures' scheduler tolerance (rtol 1e-5, atol 1e-5 ×
 * max(1, max |expected|)). The order used at each step is derived here from the paper's algorithm
 * (first order to start, first order into σ = 0), not asked of the scheduler.
 *
 * <p>Second, an analytic case: if the model's noise prediction is exact for a fixed clean sample z,
 * every x̂₀ equals z, and DPM-Solver++ must follow the exact trajectory α_t·z + σ_t·n and end on z.
 *
 * <p>The only published DPM-Solver numbers for PixArt (diffusers' slow test: the 1024-MS model,
 * fp16, 2 steps, bottom-right 3×3 slice; diffusers @58eb52c {@code
 * tests/pipelines/pixart_alpha/test_pixart.py}) need the real weights and the real text encoder, so
 * they cannot be reproduced here.
 */
class DpmSolverMultistepSchedulerStepTest {
  private static final Shape SHAPE = new Shape(2, 4, 8, 8);
  private static float[] alphasCumprod;

  @BeforeAll
  static void readTable() {
    alphasCumprod = Fixtures.npy("components/scheduler/alphas_cumprod.npy").toFloatArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 14, 20, 25})
  void midpointRunMatchesTheFloat64PaperImplementation(int steps) {
    compareRun(DpmSolverConfig.pixartDefaults(), steps, false, 2);
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 14, 25})
  void heunRunMatchesTheFloat64LambdaIntegral(int steps) {
    DpmSolverConfig c = DpmSolverConfig.pixartDefaults();
    DpmSolverConfig heun =
        new DpmSolverConfig(
            c.numTrainTimesteps(),
            c.betaStart(),
            c.betaEnd(),
            c.betaSchedule(),
            2,
            c.predictionType(),
            DpmSolverConfig.SolverType.HEUN,
            c.lowerOrderFinal(),
            c.eulerAtFinal(),
            c.finalSigmasType(),
            c.lambdaMinClipped(),
            c.timestepSpacing(),
            c.stepsOffset());
    compareRun(heun, steps, true, 2);
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 20})
  void firstOrderRunIsDdim(int steps) {
    DpmSolverConfig c = DpmSolverConfig.pixartDefaults();
    DpmSolverConfig ddim =
        new DpmSolverConfig(
            c.numTrainTimesteps(),
            c.betaStart(),
            c.betaEnd(),
            c.betaSchedule(),
            1,
            c.predictionType(),
            c.solverType(),
            c.lowerOrderFinal(),
            c.eulerAtFinal(),
            c.finalSigmasType(),
            c.lambdaMinClipped(),
            c.timestepSpacing(),
            c.stepsOffset());
    compareRun(ddim, steps, false, 1);
  }

  private static void compareRun(DpmSolverConfig config, int steps, boolean heun, int maxOrder) {
    int[] timesteps = DpmSolverMultistepSchedulerTest.LINSPACE.get(steps);
    DpmSolverMultistepScheduler scheduler = new DpmSolverMultistepScheduler(config);
    scheduler.setTimesteps(steps);
    assertThat(scheduler.timesteps()).isEqualTo(timesteps);
    DpmSolverPlusPlusReference reference =
        new DpmSolverPlusPlusReference(alphasCumprod, timesteps, heun);
    Random random = new Random(1000L + steps);
    int size = Math.toIntExact(SHAPE.size());
    try (NDManager m = NDManager.newBaseManager()) {
      float[] start = gaussian(random, size, 1.0);
      NDArray x = m.create(start, SHAPE); // (B, C, H, W)
      double[] expected = toDouble(start);
      for (int i = 0; i < steps; i++) {
        int order = maxOrder == 1 || i == 0 || i == steps - 1 ? 1 : 2;
        float[] eps = gaussian(random, size, 1.0);
        SchedulerOutput out = scheduler.step(m.create(eps, SHAPE), i, x);
        expected = reference.step(expected, toDouble(eps), order);
        assertClose(out.denoised(), reference.lastDenoised(), "x̂₀ at step " + i);
        assertClose(out.prevSample(), expected, "sample after step " + i);
        x = out.prevSample();
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
    "EPSILON, 1",
    "EPSILON, 2",
    "EPSILON, 4",
    "EPSILON, 14",
    "EPSILON, 20",
    "EPSILON, 25",
    "V_PREDICTION, 4",
    "V_PREDICTION, 14",
    "SAMPLE, 4",
    "SAMPLE, 14"
  })
  void exactPredictionFollowsTheExactTrajectoryAndEndsOnTheCleanSample(
      DpmSolverConfig.PredictionType type, int steps) {
    int[] timesteps = DpmSolverMultistepSchedulerTest.LINSPACE.get(steps);
    DpmSolverConfig c = DpmSolverConfig.pixartDefaults();
    DpmSolverMultistepScheduler scheduler =
        new DpmSolverMultistepScheduler(
            new DpmSolverConfig(
                c.numTrainTimesteps(),
                c.betaStart(),
                c.betaEnd(),
                c.betaSchedule(),
                c.solverOrder(),
                type,
                c.solverType(),
                c.lowerOrderFinal(),
                c.eulerAtFinal(),
                c.finalSigmasType(),
                c.lambdaMinClipped(),
                c.timestepSpacing(),
                c.stepsOffset()));
    scheduler.setTimesteps(steps);
    DpmSolverPlusPlusReference levels =
        new DpmSolverPlusPlusReference(alphasCumprod, timesteps, false);
    Random random = new Random(7L * steps);
    int size = Math.toIntExact(SHAPE.size());
    double[] z = toDouble(gaussian(random, size, 0.8));
    double[] noise = toDouble(gaussian(random, size, 1.0));
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(toFloat(onTrajectory(z, noise, levels, 0)), SHAPE);
      for (int i = 0; i < steps; i++) {
        // The perfect model for data z, from the current float latents: its noise is
        // n = (x − α_s·z)/σ_s; it predicts n, v = α_s·n − σ_s·z, or z itself.
        float[] current = x.toFloatArray();
        float[] prediction = new float[size];
        for (int k = 0; k < size; k++) {
          double n = (current[k] - levels.alpha(i) * z[k]) / levels.sigma(i);
          double v = levels.alpha(i) * n - levels.sigma(i) * z[k];
          prediction[k] =
              (float)
                  switch (type) {
                    case EPSILON -> n;
                    case V_PREDICTION -> v;
                    case SAMPLE -> z[k];
                  };
        }
        SchedulerOutput out = scheduler.step(m.create(prediction, SHAPE), i, x);
        Parity.assertAllClose(out.denoised().toFloatArray(), toFloat(z), 1e-4, 1e-4);
        Parity.assertAllClose(
            out.prevSample().toFloatArray(),
            toFloat(onTrajectory(z, noise, levels, i + 1)),
            1e-4,
            1e-4);
        x = out.prevSample();
      }
      Parity.assertAllClose(x.toFloatArray(), toFloat(z), 1e-4, 1e-4);
    }
  }

  @Test
  void halfPrecisionStepsKeepTheDtypeAndTrackTheFloat32Run() {
    int steps = 4;
    Random random = new Random(99);
    int size = Math.toIntExact(SHAPE.size());
    float[] start = gaussian(random, size, 1.0);
    float[][] eps = new float[steps][];
    for (int i = 0; i < steps; i++) {
      eps[i] = gaussian(random, size, 1.0);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray single = run(m, start, eps, DataType.FLOAT32);
      NDArray half = run(m, start, eps, DataType.FLOAT16);
      assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
      double rel =
          Parity.relativeL2(
              half.toType(DataType.FLOAT32, false).toFloatArray(), single.toFloatArray());
      assertThat(rel).isLessThan(2e-3);
    }
  }

  private static NDArray run(NDManager m, float[] start, float[][] eps, DataType dtype) {
    DpmSolverMultistepScheduler scheduler =
        new DpmSolverMultistepScheduler(DpmSolverConfig.pixartDefaults());
    scheduler.setTimesteps(eps.length);
    NDArray x = m.create(start, SHAPE).toType(dtype, false);
    for (int i = 0; i < eps.length; i++) {
      SchedulerOutput out = scheduler.step(m.create(eps[i], SHAPE).toType(dtype, false), i, x);
      assertThat(out.prevSample().getDataType()).isEqualTo(dtype);
      assertThat(out.denoised().getDataType()).isEqualTo(dtype);
      x = out.prevSample();
    }
    return x;
  }

  private static double[] onTrajectory(
      double[] z, double[] noise, DpmSolverPlusPlusReference levels, int level) {
    double[] out = new double[z.length];
    for (int k = 0; k < z.length; k++) {
      out[k] = levels.alpha(level) * z[k] + levels.sigma(level) * noise[k];
    }
    return out;
  }

  private static void assertClose(NDArray actual, double[] expected, String what) {
    double maxAbs = 0;
    for (double v : expected) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    try {
      Parity.assertAllClose(
          actual.toFloatArray(), toFloat(expected), 1e-5 * Math.max(1, maxAbs), 1e-5);
    } catch (AssertionError e) {
      throw new AssertionError(what + ": " + e.getMessage(), e);
    }
  }

  private static float[] gaussian(Random random, int n, double scale) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (scale * random.nextGaussian());
    }
    return out;
  }

  private static double[] toDouble(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  private static float[] toFloat(double[] a) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) a[i];
    }
    return out;
  }
}
