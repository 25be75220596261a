package io.pixartdelta.producer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pixartdelta.schemas.ControlType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Weighted job templates for {@code loadgen}, read from a JSON array or JSONL file.
 *
 * <p>Each template is a partial render job (any render-job fields, e.g. {@code width}, {@code
 * height}, {@code steps}, {@code numImages}, {@code prompt}, {@code control}) plus these keys:
 * {@code name} (label), {@code weight} (relative frequency, default 1), {@code controlFile} (local
 * PNG/JPEG uploaded once and referenced as the template's control image), {@code controlType}
 * (edges|hed|canny, default hed) and {@code controlScale} (default 1.0).
 */
final class LoadMix {
  /**
   * One template.
   *
   * @param name label for reports
   * @param weight relative frequency, &gt; 0
   * @param job partial render job
   * @param controlFile local control image to upload, or null
   */
  record Template(
      String name,
      double weight,
      ObjectNode job,
      Path controlFile,
      ControlType controlType,
      double controlScale) {}

  private static final List<String> PROMPTS =
      List.of(
          "a lighthouse on a cliff at dusk, oil painting",
          "a red fox in fresh snow, telephoto photograph",
          "isometric voxel city at night with neon signs",
          "a bowl of ramen on a wooden table, studio lighting",
          "watercolor map of an imaginary archipelago",
          "portrait of an astronaut in a sunflower field",
          "a steam locomotive crossing a stone viaduct",
          "macro photograph of dew on a spider web");

  private final List<Template> templates;
  private final double totalWeight;

  LoadMix(List<Template> templates) {
    if (templates.isEmpty()) {
      throw new IllegalArgumentException("mix: needs at least one template");
    }
    this.templates = List.copyOf(templates);
    double sum = 0;
    for (Template t : templates) {
      if (!(t.weight() > 0) || Double.isInfinite(t.weight())) {
        throw new IllegalArgumentException(
            "mix: template '" + t.name() + "' needs a positive weight, got " + t.weight());
      }
      sum += t.weight();
    }
    this.totalWeight = sum;
  }

  List<Template> templates() {
    return templates;
  }

  /** Built-in mix: mostly small 2-step jobs, some larger 4-step ones. */
  static LoadMix defaults() {
    ObjectNode small =
        JsonReporter.MAPPER.createObjectNode().put("width", 256).put("height", 256).put("steps", 2);
    ObjectNode medium =
        JsonReporter.MAPPER.createObjectNode().put("width", 512).put("height", 512).put("steps", 4);
    ObjectNode wide =
        JsonReporter.MAPPER.createObjectNode().put("width", 512).put("height", 256).put("steps", 4);
    return new LoadMix(
        List.of(
            new Template("small", 3, small, null, ControlType.HED, 1.0),
            new Template("medium", 1, medium, null, ControlType.HED, 1.0),
            new Template("wide", 1, wide, null, ControlType.HED, 1.0)));
  }

  /** Reads a JSON array of templates, or one template object per line. */
  static LoadMix read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    List<ObjectNode> objects = new ArrayList<>();
    if (text.startsWith("[")) {
      JsonNode root = parse(text, file.toString());
      for (JsonNode node : (ArrayNode) root) {
        objects.add(requireObject(node, file.toString()));
      }
    } else {
      String[] lines = text.split("\\R");
      for (int i = 0; i < lines.length; i++) {
        if (!lines[i].isBlank()) {
          String origin = file + " line " + (i + 1);
          objects.add(requireObject(parse(lines[i], origin), origin));
        }
      }
    }
    List<Template> templates = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      templates.add(template(objects.get(i), i, file.getParent()));
    }
    return new LoadMix(templates);
  }

  private static Template template(ObjectNode raw, int index, Path baseDir) {
    ObjectNode job = raw.deepCopy();
    String name = job.has("name") ? job.remove("name").asText() : "template-" + (index + 1);
    double weight = job.has("weight") ? job.remove("weight").asDouble(Double.NaN) : 1.0;
    Path controlFile = null;
    if (job.has("controlFile")) {
      Path p = Path.of(job.remove("controlFile").asText());
      controlFile = p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }
    ControlType type =
        job.has("controlType")
            ? ControlType.fromWire(job.remove("controlType").asText())
            : ControlType.HED;
    double scale = job.has("controlScale") ? job.remove("controlScale").asDouble(Double.NaN) : 1.0;
    if (Double.isNaN(scale) || scale < 0 || scale > 2) {
      throw new IllegalArgumentException("mix: template '" + name + "': controlScale must be 0..2");
    }
    return new Template(name, weight, job, controlFile, type, scale);
  }

  /** A template drawn with probability proportional to its weight. */
  Template pick(Random random) {
    double x = random.nextDouble() * totalWeight;
    for (Template t : templates) {
      x -= t.weight();
      if (x < 0) {
        return t;
      }
    }
    return templates.get(templates.size() - 1);
  }

  /** A built-in prompt for templates without one. */
  static String prompt(long sequence) {
    return PROMPTS.get((int) (sequence % PROMPTS.size()));
  }

  private static JsonNode parse(String text, String origin) {
    try {
      return JsonReporter.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(origin + ": not JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  private static ObjectNode requireObject(JsonNode node, String origin) {
    if (node instanceof ObjectNode object) {
      return object;
    }
    throw new IllegalArgumentException(origin + ": each template must be a JSON object");
  }
}
