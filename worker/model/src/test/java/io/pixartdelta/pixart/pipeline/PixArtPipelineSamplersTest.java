package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DPM-Solver++ and classifier-free guidance through the whole pipeline on the tiny model. */
class PixArtPipelineSamplersTest {
  private static PixArtPipeline pipeline;

  @BeforeAll
  static void load() {
    pipeline =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()), PipelineOptions.cpuReference());
  }

  @AfterAll
  static void close() {
    pipeline.close();
  }

  private static GenerationRequest dpm(String prompt, long seed, float guidance) {
    return new GenerationRequest(prompt, seed, 64, 64, false, 3, 1, null)
        .withSampler(SchedulerKind.DPM_SOLVER, guidance);
  }

  @Test
  void dpmSolverIsDeterministicAndGuidanceChangesTheResult() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] a = pipeline.generateLatents(List.of(dpm("a fox", 3, 4.5f)), m).toFloatArray();
      float[] b = pipeline.generateLatents(List.of(dpm("a fox", 3, 4.5f)), m).toFloatArray();
      float[] unguided = pipeline.generateLatents(List.of(dpm("a fox", 3, 0f)), m).toFloatArray();
      assertThat(a).containsExactly(b);
      for (float v : a) {
        assertThat(Float.isFinite(v)).isTrue();
      }
      assertThat(Parity.relativeL2(a, unguided)).isGreaterThan(1e-3);
    }
  }

  @Test
  void guidedRowsStayIndependentOfTheirBatchMates() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] alone = pipeline.generateLatents(List.of(dpm("a red barn", 9, 3f)), m).toFloatArray();
      NDArray both =
          pipeline.generateLatents(
              List.of(dpm("an astronaut", 1, 3f), dpm("a red barn", 9, 3f)), m);
      float[] second = both.split(2, 0).get(1).toFloatArray();
      assertThat(Parity.relativeL2(second, alone)).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void guidanceJustAboveOneStaysCloseToTheConditionalPrediction() {
    // uncond + s·(cond − uncond) → cond as s → 1: the doubled-batch path (s = 1.001) must land
    // next to the single conditional forward (s = 0), but not on it.
    try (NDManager m = NDManager.newBaseManager()) {
      float[] near = pipeline.generateLatents(List.of(dpm("a boat", 5, 1.001f)), m).toFloatArray();
      float[] plain = pipeline.generateLatents(List.of(dpm("a boat", 5, 0f)), m).toFloatArray();
      double err = Parity.relativeL2(near, plain);
      assertThat(err).isGreaterThan(0).isLessThan(1e-2);
    }
  }

  @Test
  void aBatchMustShareSamplerAndGuidance() {
    assertThatThrownBy(
            () ->
                pipeline.generate(
                    List.of(
                        dpm("a", 1, 4.5f),
                        new GenerationRequest("b", 1, 64, 64, false, 3, 1, null))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sampler and guidance");
    assertThatThrownBy(() -> new GenerationRequest("b", 1, 64, 64, false, 9, 1, null))
        .hasMessageContaining("steps must be in 1..8 for lcm");
    assertThat(dpm("x", 1, 0f).withSampler(SchedulerKind.DPM_SOLVER, 0f).steps()).isEqualTo(3);
    assertThat(SchedulerKind.fromWire("dpm-solver")).isEqualTo(SchedulerKind.DPM_SOLVER);
  }
}
