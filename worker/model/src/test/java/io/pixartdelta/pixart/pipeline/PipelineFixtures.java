package io.pixartdelta.pixart.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
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
