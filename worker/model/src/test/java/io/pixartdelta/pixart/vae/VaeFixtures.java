package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.HalfPrecisionBound;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.weights.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The VAE cases of the fixture manifest: files and tolerances, plus a tap that keeps copies. */
final class VaeFixtures {
  static final String DECODE = "components/vae/decode";
  static final String ENCODE = "components/vae/encode";

  private static final JsonNode MANIFEST = readManifest();

  private VaeFixtures() {}

  /** The manifest entry of case {@code id}. */
  static JsonNode caseOf(String id) {
    for (JsonNode c : MANIFEST.get("cases")) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException("no fixture case " + id);
  }

  /** The entry of output or intermediate {@code name} of case {@code id}. */
  static JsonNode entry(String id, String name) {
    JsonNode c = caseOf(id);
    JsonNode e = c.path("outputs").get(name);
    if (e == null) {
      e = c.path("intermediates").get(name);
    }
    if (e == null) {
      throw new IllegalArgumentException("no output or intermediate " + name + " in " + id);
    }
    return e;
  }

  /**
   * Asserts {@code actual} matches fixture {@code name} of case {@code id} within its tolerance.
   */
  static void assertMatches(String id, String name, Shape shape, float[] actual) {
    JsonNode e = entry(id, name);
    Npy.Array expected = Fixtures.npy(e.get("file").asText());
    assertThat(shape).as(name + " shape").isEqualTo(expected.shape());
    JsonNode tol = e.get("tolerance");
    assertThat(tol.get("kind").asText()).isEqualTo("allclose");
    Parity.assertFixture(
        actual,
        expected.toFloatArray(),
        tol.get("atol").asDouble(),
        tol.get("rtol").asDouble(),
        id.equals(DECODE) ? HalfPrecisionBound.VAE_DECODE : HalfPrecisionBound.VAE_ENCODE,
        id + " / " + name);
  }

  static void assertMatches(String id, String name, NDArray actual) {
    assertMatches(id, name, actual.getShape(), Parity.hostCopy(actual));
  }

  /** A {@link Tap} keeping a host copy of every recorded activation. */
  static final class Recorder implements Tap {
    final Map<String, Shape> shapes = new LinkedHashMap<>();
    final Map<String, float[]> values = new LinkedHashMap<>();

    @Override
    public void record(String name, NDArray value) {
      shapes.put(name, value.getShape());
      values.put(name, Parity.hostCopy(value));
    }

    void assertMatches(String id, String name) {
      assertThat(values).as("recorded activations").containsKey(name);
      VaeFixtures.assertMatches(id, name, shapes.get(name), values.get(name));
    }
  }

  private static JsonNode readManifest() {
    try {
      return new ObjectMapper().readTree(Fixtures.path("manifest.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
