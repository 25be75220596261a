package io.pixartdelta.pixart.controlnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.HalfPrecisionBound;
import io.pixartdelta.pixart.Parity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The {@code controlnet/forward} case of the fixtures manifest: inputs (the main transformer case
 * plus control latents), the expected output and intermediates with their tolerances, and the
 * checkpoints.
 */
final class ControlNetFixture {
  static final String CASE = "controlnet/forward";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode entry;

  private ControlNetFixture(JsonNode entry) {
    this.entry = entry;
  }

  static ControlNetFixture forward() {
    return new ControlNetFixture(manifestCase(CASE));
  }

  static JsonNode manifestCase(String id) {
    JsonNode manifest;
    try {
      manifest = JSON.readTree(Files.readString(Fixtures.path("manifest.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (JsonNode c : manifest.get("cases")) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new IllegalStateException("no manifest case " + id);
  }

  static Path transformerDir() {
    return Fixtures.tinyModel().resolve("transformer");
  }

  static Path adapterDir() {
    return Fixtures.path("controlnet/adapter");
  }

  static Path originalLayoutPth() {
    return Fixtures.path("controlnet/original_layout.pth");
  }

  /**
   * The call arguments in forward order: latents, timestep, encoder_hidden_states,
   * encoder_attention_mask, resolution, aspect_ratio, control_latents.
   */
  NDList inputs(NDManager manager) {
    NDList list = new NDList();
    for (String name :
        List.of(
            "latents",
            "timestep",
            "encoder_hidden_states",
            "encoder_attention_mask",
            "resolution",
            "aspect_ratio",
            "control_latents")) {
      list.add(Fixtures.array(manager, entry.get("inputs").get(name).get("file").asText()));
    }
    return list;
  }

  /** Names of every recorded intermediate, in forward order. */
  List<String> intermediateNames() {
    List<String> names = new ArrayList<>();
    Iterator<String> it = entry.get("intermediates").fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }

  /** Asserts {@code actual} matches the named output or intermediate within its tolerance. */
  void assertMatches(NDArray actual, String name) {
    JsonNode n = node(name);
    JsonNode tol = n.get("tolerance");
    try (NDManager m = NDManager.newBaseManager(actual.getDevice())) {
      NDArray expected = Fixtures.array(m, n.get("file").asText());
      Parity.assertFixture(
          actual,
          expected,
          tol.get("atol").asDouble(),
          tol.get("rtol").asDouble(),
          HalfPrecisionBound.CONTROLNET,
          CASE + " " + name);
    }
  }

  private JsonNode node(String name) {
    JsonNode n = entry.get("outputs").get(name);
    if (n == null) {
      n = entry.get("intermediates").get(name);
    }
    if (n == null) {
      throw new IllegalStateException(CASE + " has no expectation " + name);
    }
    return n;
  }
}
