package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.HalfPrecisionBound;
import io.pixartdelta.pixart.Parity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * One {@code components/transformer/<name>} case of the fixtures manifest: its input files and the
 * expected outputs/intermediates with their tolerances.
 */
final class TransformerFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String dir;
  private final JsonNode entry;

  private TransformerFixture(String dir, JsonNode entry) {
    this.dir = dir;
    this.entry = entry;
  }

  /** {@code "main"} or {@code "alt"}. */
  static TransformerFixture of(String name) {
    String id = "components/transformer/" + name;
    return new TransformerFixture(id, manifestCase(id));
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

  NDArray input(NDManager manager, String name) {
    return Fixtures.array(manager, dir + "/" + name + ".npy");
  }

  /** An output ({@code output}, {@code pos_embed_grid}) or intermediate, by manifest name. */
  NDArray expected(NDManager manager, String name) {
    return Fixtures.array(manager, node(name).get("file").asText());
  }

  /** Asserts {@code actual} matches the named expectation within the manifest's tolerance. */
  void assertMatches(NDArray actual, String name) {
    JsonNode n = node(name);
    JsonNode tol = n.get("tolerance");
    NDArray expected = Fixtures.array(actual.getManager(), n.get("file").asText());
    try {
      Parity.assertFixture(
          actual,
          expected,
          tol.get("atol").asDouble(),
          tol.get("rtol").asDouble(),
          HalfPrecisionBound.TRANSFORMER,
          dir + " " + name);
    } finally {
      expected.close();
    }
  }

  private JsonNode node(String name) {
    JsonNode n = entry.get("outputs").get(name);
    if (n == null) {
      n = entry.get("intermediates").get(name);
    }
    if (n == null) {
      throw new IllegalStateException(dir + " has no expectation " + name);
    }
    return n;
  }
}
