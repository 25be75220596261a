package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.RenderJob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * Puts a job's or batch's ids in the logging MDC for the lines logged while it is handled (the JSON
 * log format shows them as fields), and restores the previous values on close. The prompt goes in
 * only as a SHA-256 digest: prompts may be personal data and are never logged in clear.
 */
public final class JobLogContext implements AutoCloseable {
  public static final String JOB_ID = "jobId";
  public static final String BATCH_ID = "batchId";
  public static final String PROMPT_SHA256 = "promptSha256";

  private final Map<String, String> previous = new LinkedHashMap<>();

  private JobLogContext(Map<String, String> values) {
    values.forEach(
        (key, value) -> {
          previous.put(key, MDC.get(key));
          MDC.put(key, value);
        });
  }

  /** The job's id and prompt digest, until closed. */
  public static JobLogContext job(RenderJob job) {
    return new JobLogContext(
        Map.of(JOB_ID, job.jobId(), PROMPT_SHA256, promptSha256(job.prompt())));
  }

  /** The job's context plus its batch's id, until closed. */
  public static JobLogContext job(RenderJob job, String batchId) {
    return new JobLogContext(
        Map.of(JOB_ID, job.jobId(), PROMPT_SHA256, promptSha256(job.prompt()), BATCH_ID, batchId));
  }

  /** A batch's id, until closed. */
  public static JobLogContext batch(String batchId) {
    return new JobLogContext(Map.of(BATCH_ID, batchId));
  }

  /** Hex SHA-256 of the prompt's UTF-8 bytes: equal prompts can be matched, not read. */
  public static String promptSha256(String prompt) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public void close() {
    previous.forEach(
        (key, value) -> {
          if (value == null) {
            MDC.remove(key);
          } else {
            MDC.put(key, value);
          }
        });
  }
}
