package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.HalfPrecisionBound;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.TestDevice;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.schedulers.TimestepRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The pipeline cases of the fixture manifest: prompts, seeds and per-output tolerances. */
final class PipelineFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PipelineFixtures() {}

  static JsonNode pipelineCase(int steps) {
    try {
      JsonNode root = JSON.readTree(Files.readString(Fixtures.path("manifest.json")));
      for (JsonNode c : root.get("cases")) {
        if (c.get("id").asText().equals("pipeline/steps" + steps)) {
          return c;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException("no pipeline case for " + steps + " steps");
  }

  /** The reference kernels on the {@link TestDevice} in its compute type. */
  static PipelineOptions testDeviceOptions() {
    return new PipelineOptions(
        TestDevice.device(),
        TestDevice.dtype(),
        NdArrayKernels.INSTANCE,
        TimestepRule.DIFFUSERS,
        4,
        64);
  }

  /**
   * Asserts {@code actual} matches output {@code "latents"} or {@code "image"} of case {@code c}:
   * the fixture's tolerance in fp32, the {@link HalfPrecisionBound} in fp16.
   */
  static void assertMatches(NDArray actual, JsonNode c, String output, String variant) {
    String id = c.get("id").asText();
    double[] tol = tolerance(c, output);
    try (NDManager m = NDManager.newBaseManager(actual.getDevice())) {
      NDArray expected = Fixtures.array(m, c.get("outputs").get(output).get("file").asText());
      Parity.assertFixture(
          actual,
          expected,
          tol[0],
          tol[1],
          output.equals("image")
              ? HalfPrecisionBound.PIPELINE_IMAGE
              : HalfPrecisionBound.PIPELINE_LATENTS,
          id + " " + output + " (" + variant + ")");
    }
  }

  static double[] tolerance(JsonNode c, String output) {
    JsonNode t = c.get("outputs").get(output).get("tolerance");
    return new double[] {t.get("atol").asDouble(), t.get("rtol").asDouble()};
  }

  /** The reference call: the three prompts with their seeds, 128×128, no binning. */
  static List<GenerationRequest> requests(JsonNode c, int steps) {
    List<GenerationRequest> out = new ArrayList<>();
    for (int i = 0; i < c.get("prompts").size(); i++) {
      out.add(
          new GenerationRequest(
              c.get("prompts").get(i).asText(),
              c.get("seeds").get(i).asLong(),
              128,
              128,
              false,
              steps,
              1,
              null));
    }
    return out;
  }
}
