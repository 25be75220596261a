package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ImageFormat;
import io.pixartdelta.schemas.RenderJob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The fields of a job that decide its images, as stored in each image object's metadata: {@link
 * #FIELDS} holds them as {@code name=value;...} (long values as short SHA-256 prefixes), {@link
 * #FINGERPRINT} the SHA-256 of that text. A redelivered job has the same fingerprint; a different
 * request sent under the same jobId does not, and {@link #differingFields} names what changed.
 *
 * <p>Values are the ones rendered with, defaults applied (the seed derived from the jobId, the size
 * taken from a control image). Output bucket and prefix are not included: they choose the keys, so
 * a different location never meets the stored objects.
 */
public record RequestFingerprint(Map<String, String> fields) {
  /** Object metadata key of the fingerprint (lowercase hex SHA-256). */
  public static final String FINGERPRINT = "request-fingerprint";

  /** Object metadata key of the field list. */
  public static final String FIELDS = "request-fields";

  public RequestFingerprint {
    fields = Map.copyOf(Objects.requireNonNull(fields, "fields"));
  }

  /** The fingerprint of a planned job. */
  public static RequestFingerprint of(PlannedJob planned) {
    RenderJob job = planned.incoming().job();
    RenderItem item = planned.item();
    OutputTarget target = planned.target();
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("prompt", shortHash(job.prompt()));
    fields.put("seed", Long.toString(item.seed()));
    fields.put("size", item.width() + "x" + item.height());
    fields.put("binning", Boolean.toString(item.binning()));
    fields.put("steps", Integer.toString(item.steps()));
    fields.put("numImages", Integer.toString(item.numImages()));
    fields.put("sampler", job.sampler().wireName());
    fields.put(
        "guidanceScale", job.guidanceScale() == null ? "default" : job.guidanceScale().toString());
    fields.put(
        "control",
        job.control() == null
            ? "none"
            : job.control().type().wireName()
                + ":"
                + job.control().scale()
                + ":"
                + shortHash(job.control().image()));
    fields.put(
        "format",
        target.format() == ImageFormat.JPEG
            ? "jpeg:" + target.jpegQuality()
            : target.format().extension());
    return new RequestFingerprint(fields);
  }

  /**
   * The fingerprint stored in an object's metadata, or null if the object has none (written before
   * fingerprints existed).
   */
  public static RequestFingerprint stored(Map<String, String> metadata) {
    String text = metadata.get(FIELDS);
    if (text == null || metadata.get(FINGERPRINT) == null) {
      return null;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : text.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return new RequestFingerprint(fields);
  }

  /** {@code name=value;...} in a fixed order. */
  public String text() {
    List<String> pairs = new ArrayList<>();
    fields.keySet().stream().sorted().forEach(name -> pairs.add(name + "=" + fields.get(name)));
    return String.join(";", pairs);
  }

  /** SHA-256 of {@link #text()}, lowercase hex. */
  public String digest() {
    return HexFormat.of().formatHex(JobPlanner.sha256(text().getBytes(StandardCharsets.UTF_8)));
  }

  /** The two metadata entries to store with each image. */
  public Map<String, String> metadata() {
    return Map.of(FINGERPRINT, digest(), FIELDS, text());
  }

  /** Names of the fields whose values differ (present in one only counts), sorted. */
  public List<String> differingFields(RequestFingerprint other) {
    List<String> names = new ArrayList<>();
    for (String name : fields.keySet()) {
      if (!fields.get(name).equals(other.fields.get(name))) {
        names.add(name);
      }
    }
    for (String name : other.fields.keySet()) {
      if (!fields.containsKey(name)) {
        names.add(name);
      }
    }
    return names.stream().sorted().toList();
  }

  private static String shortHash(String text) {
    return HexFormat.of()
        .formatHex(JobPlanner.sha256(text.getBytes(StandardCharsets.UTF_8)))
        .substring(0, 16);
  }
}
