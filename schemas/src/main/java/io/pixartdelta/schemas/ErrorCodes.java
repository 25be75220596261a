package io.pixartdelta.schemas;

import java.util.List;

/**
 * Stable machine-readable failure codes carried by {@link ErrorInfo#code()} and {@link
 * InvalidMessageException#code()}.
 *
 * <p>The schema file {@code render-status.v1.schema.json} ({@code $defs/errorCode}) lists the same
 * codes with a description each; a test keeps both lists equal. Adding a code is an additive
 * change; renaming or removing one is breaking.
 */
public final class ErrorCodes {
  /** The message bytes are not a UTF-8 JSON document. */
  public static final String INVALID_JSON = "invalid-json";

  /** The JSON violates the schema, including an unsupported {@code schemaVersion}. */
  public static final String SCHEMA_INVALID = "schema-invalid";

  /** The job matches the schema but cannot be used as given. */
  public static final String INVALID_JOB = "invalid-job";

  /** The job asks for something this worker does not provide (e.g. control without ControlNet). */
  public static final String UNSUPPORTED_FEATURE = "unsupported-feature";

  /** The deadline passed before rendering started (state EXPIRED). */
  public static final String DEADLINE_EXCEEDED = "deadline-exceeded";

  /** The output bucket or prefix is outside the worker's allow-list. */
  public static final String OUTPUT_NOT_ALLOWED = "output-not-allowed";

  /** The control image is not a decodable image or a well-formed data URI. */
  public static final String CONTROL_IMAGE_INVALID = "control-image-invalid";

  /** The control image's {@code s3://} object does not exist or is not readable. */
  public static final String CONTROL_IMAGE_NOT_FOUND = "control-image-not-found";

  /** The control image exceeds the worker's size limit. */
  public static final String CONTROL_IMAGE_TOO_LARGE = "control-image-too-large";

  /** The model failed on this job (e.g. out of memory even alone, non-finite output). */
  public static final String RENDER_FAILED = "render-failed";

  /** Storing the images failed after retries. */
  public static final String UPLOAD_FAILED = "upload-failed";

  /**
   * The jobId was already rendered for a different request (prompt, seed, size...): its stored
   * images belong to that request, so this one is refused; the message names the fields that
   * differ.
   */
  public static final String JOB_ID_CONFLICT = "job-id-conflict";

  /** A cancel request reached the job before rendering started (state CANCELLED). */
  public static final String CANCELLED = "cancelled";

  /** An unexpected worker error; a bug to report. */
  public static final String INTERNAL_ERROR = "internal-error";

  /** Every code, in the order of the schema's list. */
  public static final List<String> ALL =
      List.of(
          INVALID_JSON,
          SCHEMA_INVALID,
          INVALID_JOB,
          UNSUPPORTED_FEATURE,
          DEADLINE_EXCEEDED,
          OUTPUT_NOT_ALLOWED,
          CONTROL_IMAGE_INVALID,
          CONTROL_IMAGE_NOT_FOUND,
          CONTROL_IMAGE_TOO_LARGE,
          RENDER_FAILED,
          UPLOAD_FAILED,
          JOB_ID_CONFLICT,
          CANCELLED,
          INTERNAL_ERROR);

  private ErrorCodes() {}

  /** Whether {@code code} is one of {@link #ALL}. */
  public static boolean isKnown(String code) {
    return ALL.contains(code);
  }
}
