package io.pixartdelta.schemas;

import java.util.List;
import java.util.Optional;

/**
 * A wire message that cannot be accepted. Permanent: redelivering the same bytes fails the same
 * way, so the consumer fails the job (or dead-letters the message) rather than retrying.
 *
 * <p>{@link #code()} is {@link ErrorCodes#INVALID_JSON} for bytes that are not a JSON document,
 * {@link ErrorCodes#SCHEMA_INVALID} for schema violations (including an unsupported {@code
 * schemaVersion}; {@link #violations()} lists the validator's messages) and {@link
 * ErrorCodes#INVALID_JOB} for schema-valid JSON that still cannot be mapped to a record.
 */
public final class InvalidMessageException extends RuntimeException {
  private final String code;
  private final List<String> violations;
  private final String jobId;

  /**
   * Creates the exception.
   *
   * @param code one of {@link ErrorCodes#ALL}
   * @param message summary naming the problem
   * @param violations individual schema violations (may be empty)
   * @param jobId the message's jobId if it could be read and is well-formed, else null
   * @param cause underlying parser or mapping failure, or null
   */
  public InvalidMessageException(
      String code, String message, List<String> violations, String jobId, Throwable cause) {
    super(message, cause);
    if (!ErrorCodes.isKnown(code)) {
      throw new IllegalArgumentException("unknown error code '" + code + "'");
    }
    this.code = code;
    this.violations = List.copyOf(violations);
    this.jobId = jobId;
  }

  /** The stable error code. */
  public String code() {
    return code;
  }

  /** The schema validator's messages (empty unless {@link #code()} is schema-invalid). */
  public List<String> violations() {
    return violations;
  }

  /**
   * The jobId found in the message, when it was readable and well-formed, so that the failure can
   * be reported under it.
   */
  public Optional<String> jobId() {
    return Optional.ofNullable(jobId);
  }

  /** This failure as the {@link ErrorInfo} of a FAILED status event (not retryable). */
  public ErrorInfo toErrorInfo() {
    return ErrorInfo.permanent(code, getMessage());
  }
}
