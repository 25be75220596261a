package io.pixartdelta.pixart.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The manifest's {@code tokenizer/prompts} case: prompts and what the reference made of them. */
final class TokenizerFixtures {
  private TokenizerFixtures() {}

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

  static JsonNode tokenizerCase() {
    for (JsonNode c : manifest().get("cases")) {
      if (c.get("id").asText().equals("tokenizer/prompts")) {
        return c;
      }
    }
    throw new IllegalStateException("no tokenizer/prompts case in the manifest");
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
