package io.pixartdelta.producer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Partial render jobs as JSON objects: defaults from command-line flags are filled into fields the
 * object leaves out, then the result is validated like any message on the wire (JSON Schema and
 * record checks), so the CLI can never send a job the worker would reject as malformed.
 */
final class JobTemplate {
  private JobTemplate() {}

  /**
   * Builds a job from a partial object.
   *
   * @param partial fields of a render job (any subset; {@code prompt} defaults to empty)
   * @param defaults fields used where {@code partial} has none ({@code output} merged per field)
   * @param jobId used when {@code partial} has no {@code jobId}
   * @throws IllegalArgumentException naming the problem when the result is not a valid job
   */
  static RenderJob build(ObjectNode partial, ObjectNode defaults, String jobId, Instant now) {
    ObjectNode job = partial.deepCopy();
    merge(job, defaults);
    if (!job.has("schemaVersion")) {
      job.put("schemaVersion", RenderJob.SCHEMA_VERSION);
    }
    if (!job.has("jobId")) {
      job.put("jobId", jobId);
    }
    if (!job.has("prompt")) {
      job.put("prompt", "");
    }
    if (!job.has("submittedAt")) {
      job.put("submittedAt", now.truncatedTo(ChronoUnit.MILLIS).toString());
    }
    byte[] bytes;
    try {
      bytes = JsonReporter.MAPPER.writeValueAsString(job).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree we built ourselves", e);
    }
    try {
      return JsonCodec.shared().decodeJob(bytes);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Copies every field of {@code defaults} that {@code target} lacks; objects merge one level. */
  static void merge(ObjectNode target, ObjectNode defaults) {
    for (Map.Entry<String, JsonNode> e : defaults.properties()) {
      JsonNode existing = target.get(e.getKey());
      if (existing == null || existing.isNull()) {
        target.set(e.getKey(), e.getValue().deepCopy());
      } else if (existing.isObject() && e.getValue().isObject()) {
        ObjectNode nested = (ObjectNode) existing;
        for (Map.Entry<String, JsonNode> f : e.getValue().properties()) {
          if (!nested.has(f.getKey())) {
            nested.set(f.getKey(), f.getValue().deepCopy());
          }
        }
      }
    }
  }
}
