package io.pixartdelta.pixart.image;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an image was made, for embedding in the file: a {@code parameters} text in the layout Stable
 * Diffusion front ends read and write (prompt lines, then one {@code Key: value, …} line), plus one
 * entry per field for tools that read single keys.
 *
 * @param prompt the text prompt (may be empty or span lines)
 * @param seed the seed of this image
 * @param steps denoising steps
 * @param sampler sampler name, e.g. {@code lcm}
 * @param guidanceScale the classifier-free guidance scale used (≤ 1: none)
 * @param width image width in pixels
 * @param height image height in pixels
 * @param modelId the model's identifier
 */
public record ImageParameters(
    String prompt,
    long seed,
    int steps,
    String sampler,
    double guidanceScale,
    int width,
    int height,
    String modelId) {

  /** Key of the combined text, the one front ends parse. */
  public static final String PARAMETERS_KEY = "parameters";

  public ImageParameters {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    if (sampler == null || sampler.isBlank()) {
      throw new IllegalArgumentException("sampler must not be blank");
    }
    if (modelId == null || modelId.isBlank()) {
      throw new IllegalArgumentException("modelId must not be blank");
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "width and height must be >= 1, got " + width + "x" + height);
    }
  }

  /**
   * The front-end text: the prompt, then {@code Steps: 4, Sampler: lcm, CFG scale: 0, Seed: 42,
   * Size: 1024x768, Model: …}. Values holding a comma or quote are quoted, as those parsers expect.
   */
  public String parametersText() {
    StringBuilder line = new StringBuilder();
    for (Map.Entry<String, String> field : fields().entrySet()) {
      if (!line.isEmpty()) {
        line.append(", ");
      }
      line.append(field.getKey()).append(": ").append(quoteIfNeeded(field.getValue()));
    }
    return prompt + "\n" + line;
  }

  /**
   * Every entry to embed, in file order: {@value #PARAMETERS_KEY}, then {@code Prompt}, {@code
   * Steps}, {@code Sampler}, {@code CFG scale}, {@code Seed}, {@code Size} and {@code Model}.
   */
  public Map<String, String> textEntries() {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put(PARAMETERS_KEY, parametersText());
    entries.put("Prompt", prompt);
    entries.putAll(fields());
    return entries;
  }

  private Map<String, String> fields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("Steps", Integer.toString(steps));
    fields.put("Sampler", sampler);
    fields.put("CFG scale", BigDecimal.valueOf(guidanceScale).stripTrailingZeros().toPlainString());
    fields.put("Seed", Long.toString(seed));
    fields.put("Size", width + "x" + height);
    fields.put("Model", modelId);
    return fields;
  }

  private static String quoteIfNeeded(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
      return value;
    }
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }
}
