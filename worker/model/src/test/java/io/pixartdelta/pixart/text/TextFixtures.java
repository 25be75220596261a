package io.pixartdelta.pixart.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The manifest cases of the text package: tokenizer prompts and the T5 encoder forward. */
final class TextFixtures {
  private TextFixtures() {}

  /** One manifest prompt entry. */
  record Prompt(
      String id, String prompt, String preprocessed, int untruncatedLength, boolean truncated) {}

  static JsonNode manifest() {
    try {
      return new ObjectMapper().readTree(Files.readString(Fixtures.path("manifest.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The manifest case with id {@code id}. */
  static JsonNode fixtureCase(String id) {
    for (JsonNode c : manifest().get("cases")) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new IllegalStateException("no case " + id + " in the manifest");
  }

  static JsonNode tokenizerCase() {
    return fixtureCase("tokenizer/prompts");
  }

  /**
   * The allclose tolerance {atol, rtol} of {@code group} ("outputs" or "intermediates") entry
   * {@code name} of case {@code c}; atol as written (already scaled by the generator).
   */
  static double[] tolerance(JsonNode c, String group, String name) {
    JsonNode t = c.get(group).get(name).get("tolerance");
    if (!t.get("kind").asText().equals("allclose")) {
      throw new IllegalStateException(name + " is not an allclose entry");
    }
    return new double[] {t.get("atol").asDouble(), t.get("rtol").asDouble()};
  }

  static List<Prompt> prompts() {
    List<Prompt> out = new ArrayList<>();
    for (JsonNode p : tokenizerCase().get("prompts")) {
      out.add(
          new Prompt(
              p.get("id").asText(),
              p.get("prompt").asText(),
              p.get("preprocessed").asText(),
              p.get("untruncated_length_incl_eos").asInt(),
              p.get("truncated").asBoolean()));
    }
    return out;
  }
}
