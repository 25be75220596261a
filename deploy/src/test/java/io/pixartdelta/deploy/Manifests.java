package io.pixartdelta.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The objects of a rendered overlay, with the look-ups the checks need. */
final class Manifests {
  private static final YAMLMapper YAML = new YAMLMapper();

  private final String text;
  private final List<JsonNode> objects;

  private Manifests(String text, List<JsonNode> objects) {
    this.text = text;
    this.objects = List.copyOf(objects);
  }

  static Manifests parse(String text) {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered YAML does not parse", e);
    }
    return new Manifests(text, objects);
  }

  String text() {
    return text;
  }

  List<JsonNode> objects() {
    return objects;
  }

  List<JsonNode> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  /** The single object of a kind; fails if there are none or several. */
  JsonNode only(String kind) {
    List<JsonNode> found = all(kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + found.size());
    }
    return found.get(0);
  }

  Optional<JsonNode> named(String kind, String name) {
    return all(kind).stream().filter(o -> name.equals(nameOf(o))).findFirst();
  }

  static String nameOf(JsonNode object) {
    return object.path("metadata").path("name").asText();
  }

  /** The worker's ConfigMap data. */
  JsonNode workerConfig() {
    return only("ConfigMap").path("data");
  }

  JsonNode podSpec() {
    return only("Deployment").path("spec").path("template").path("spec");
  }

  JsonNode workerContainer() {
    return podSpec().path("containers").path(0);
  }

  /** Value of a literal env variable of the worker container, or null. */
  String env(String name) {
    for (JsonNode var : workerContainer().path("env")) {
      if (name.equals(var.path("name").asText()) && var.has("value")) {
        return var.path("value").asText();
      }
    }
    return null;
  }

  JsonNode trigger() {
    return only("ScaledObject").path("spec").path("triggers").path(0);
  }
}
