package io.pixartdelta.pixart.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A PixArt checkpoint folder in diffusers layout ({@code model_index.json} + one folder per
 * component), as published in {@code PixArt-alpha/PixArt-LCM-XL-2-1024-MS}. Checks up front that
 * every component the pipeline needs is declared with a class we implement and that its folder
 * exists, so a wrong path fails at start-up with one clear message.
 */
public record ModelDirectory(Path root, String pipelineClass) {
  /** Component → accepted class names (diffusers maps the legacy Transformer2DModel). */
  private static final Map<String, List<String>> COMPONENTS =
      Map.of(
          "text_encoder", List.of("T5EncoderModel"),
          "tokenizer", List.of("T5Tokenizer", "T5TokenizerFast"),
          "transformer", List.of("Transformer2DModel", "PixArtTransformer2DModel"),
          "vae", List.of("AutoencoderKL"),
          "scheduler", List.of("LCMScheduler", "DPMSolverMultistepScheduler"));

  /** Opens and validates {@code root}. */
  public static ModelDirectory open(Path root) {
    Path index = root.resolve("model_index.json");
    if (!Files.isRegularFile(index)) {
      throw new WeightException(
          "not a diffusers model folder: "
              + index
              + " is missing (expected the layout of"
              + " PixArt-alpha/PixArt-LCM-XL-2-1024-MS)");
    }
    String pipeline = ConfigJson.read(index, "model index", ModelDirectory::checkComponents);
    for (String component : COMPONENTS.keySet()) {
      if (!Files.isDirectory(root.resolve(component))) {
        throw new WeightException("missing component folder " + root.resolve(component));
      }
    }
    return new ModelDirectory(root, pipeline);
  }

  /** The pipeline class, after checking every component entry {@code [library, class]}. */
  private static String checkComponents(JsonNode node) {
    String pipeline = ConfigJson.text(node, "_class_name", "");
    if (!pipeline.startsWith("PixArt")) {
      throw new IllegalArgumentException(
          "_class_name is '" + pipeline + "', expected a PixArt-α pipeline");
    }
    for (Map.Entry<String, List<String>> c : COMPONENTS.entrySet()) {
      List<String> entry = ConfigJson.texts(node, c.getKey());
      if (entry.size() != 2) {
        throw new IllegalArgumentException(c.getKey() + " must be [library, class], got " + entry);
      }
      if (!c.getValue().contains(entry.get(1))) {
        throw new IllegalArgumentException(
            "component " + c.getKey() + " is " + entry.get(1) + ", supported: " + c.getValue());
      }
    }
    return pipeline;
  }

  public Path textEncoder() {
    return root.resolve("text_encoder");
  }

  public Path tokenizer() {
    return root.resolve("tokenizer");
  }

  public Path transformer() {
    return root.resolve("transformer");
  }

  public Path vae() {
    return root.resolve("vae");
  }

  public Path schedulerConfig() {
    return root.resolve("scheduler").resolve("scheduler_config.json");
  }

  /** A stable identifier for provenance metadata and cache keys: the folder name. */
  public String modelId() {
    Path name = root.toAbsolutePath().normalize().getFileName();
    return name == null ? root.toString() : name.toString();
  }
}
