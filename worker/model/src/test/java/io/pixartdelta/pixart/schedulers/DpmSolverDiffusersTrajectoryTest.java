package io.pixartdelta.pixart.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link DpmSolverMultistepScheduler} against trajectories recorded from diffusers' {@code
 * DPMSolverMultistepScheduler} (fixtures/dpm, see its README): every variant listed in its {@code
 * index.json} is built from the recorded {@code scheduler_config.json}, must choose the recorded
 * timesteps exactly, and must reproduce every step's {@code prev_sample} from the recorded model
 * outputs within relative L2 1e-5 (float32 arithmetic in another order).
 */
class DpmSolverDiffusersTrajectoryTest {
  private static final double TOLERANCE = 1e-5;

  static Stream<String> variants() throws IOException {
    JsonNode index = new ObjectMapper().readTree(Fixtures.path("dpm/index.json").toFile());
    List<String> names = new ArrayList<>();
    index.fieldNames().forEachRemaining(names::add);
    assertThat(names).as("variants in index.json").hasSize(8);
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void followsTheDiffusersTrajectory(String variant) {
    String dir = "dpm/" + variant + "/";
    DpmSolverMultistepScheduler scheduler =
        new DpmSolverMultistepScheduler(
            DpmSolverConfig.fromJson(Fixtures.path(dir + "scheduler_config.json")));
    long[] expectedTimesteps = Fixtures.npy(dir + "timesteps.npy").toLongArray();
    scheduler.setTimesteps(expectedTimesteps.length);
    int[] timesteps = scheduler.timesteps();
    assertThat(timesteps).hasSameSizeAs(expectedTimesteps);
    for (int k = 0; k < timesteps.length; k++) {
      assertThat((long) timesteps[k]).as("timestep %d", k).isEqualTo(expectedTimesteps[k]);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray sample = Fixtures.array(m, dir + "sample0.npy"); // (2, 4, 8, 12)
      NDArray outputs = Fixtures.array(m, dir + "model_outputs.npy"); // (N, 2, 4, 8, 12)
      NDArray expected = Fixtures.array(m, dir + "samples.npy"); // (N, 2, 4, 8, 12)
      assertThat(sample.getDataType()).isEqualTo(DataType.FLOAT32);
      for (int k = 0; k < timesteps.length; k++) {
        sample = scheduler.step(outputs.get(k), k, sample).prevSample(); // (2, 4, 8, 12)
        double error = Parity.relativeL2(sample.toFloatArray(), expected.get(k).toFloatArray());
        assertThat(error)
            .as("%s step %d (order %d) relative L2", variant, k, scheduler.orderAt(k))
            .isLessThanOrEqualTo(TOLERANCE);
      }
    }
  }
}
