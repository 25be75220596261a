package io.pixartdelta.pixart.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.TestDevice;
import io.pixartdelta.pixart.random.TorchGenerator;
import java.io.IOException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The denoising loop of the reference pipeline runs (fixtures pipeline/steps{1,2,4}) with the
 * recorded transformer outputs: one generator per image draws the initial latents and then each
 * non-final step's noise, and the scheduler chains the steps.
 */
class LcmSamplingLoopTest {

  @ParameterizedTest(name = "{0} steps")
  @ValueSource(ints = {1, 2, 4})
  @Tag("parity")
  void reproducesTheReferenceLoopWithPerImageGenerators(int steps) throws IOException {
    JsonNode manifest = new ObjectMapper().readTree(Fixtures.path("manifest.json").toFile());
    JsonNode run = null;
    for (JsonNode c : manifest.get("cases")) {
      if (c.get("id").asText().equals("pipeline/steps" + steps)) {
        run = c;
      }
    }
    assertThat(run).isNotNull();
    JsonNode seeds = run.get("seeds");
    TorchGenerator[] generators = new TorchGenerator[seeds.size()];
    for (int i = 0; i < generators.length; i++) {
      generators[i] = new TorchGenerator(seeds.get(i).asLong());
    }
    Shape row = new Shape(1, 4, 16, 16);

    LcmScheduler scheduler =
        new LcmScheduler(
            LcmConfig.fromJson(Fixtures.path("model/scheduler/scheduler_config.json")));
    scheduler.setTimesteps(steps);
    for (int k = 0; k < steps; k++) {
      assertThat(scheduler.timesteps()[k]).isEqualTo(run.get("timesteps").get(k).asInt());
    }

    // fp32 on the device under test, as in the pipeline whatever the model's compute type.
    try (NDManager manager = TestDevice.newManager()) {
      NDArray latents = drawPerImage(manager, generators, row); // (3, 4, 16, 16)
      assertClose(latents, manager, run.get("outputs").get("initial_latents"));
      assertThat(latents.toFloatArray())
          .as("initial latents bit-identical")
          .containsExactly(
              Fixtures.npy("pipeline/steps" + steps + "/initial_latents.npy").toFloatArray());

      for (JsonNode step : run.get("outputs").get("steps")) {
        int k = step.get("step_index").asInt();
        assertClose(latents, manager, step.get("sample"));
        NDArray modelOutput =
            Fixtures.array(manager, step.get("model_output").get("file").asText());
        NDArray noise = null;
        if (k < steps - 1) {
          noise = drawPerImage(manager, generators, row);
          assertClose(noise, manager, step.get("noise"));
        }
        SchedulerOutput out = scheduler.step(modelOutput, k, latents, noise);
        assertClose(out.denoised(), manager, step.get("denoised"));
        assertClose(out.prevSample(), manager, step.get("prev_sample"));
        latents = out.prevSample();
      }
      assertClose(latents, manager, run.get("outputs").get("latents"));
    }
  }

  private static NDArray drawPerImage(NDManager manager, TorchGenerator[] generators, Shape row) {
    NDList rows = new NDList();
    for (TorchGenerator g : generators) {
      rows.add(g.randn(manager, row));
    }
    return NDArrays.concat(rows, 0);
  }

  private static void assertClose(NDArray actual, NDManager manager, JsonNode entry) {
    NDArray expected = Fixtures.array(manager, entry.get("file").asText());
    JsonNode tol = entry.get("tolerance");
    Parity.assertAllClose(actual, expected, tol.get("atol").asDouble(), tol.get("rtol").asDouble());
  }
}
