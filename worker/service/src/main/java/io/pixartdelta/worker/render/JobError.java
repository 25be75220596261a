package io.pixartdelta.worker.render;

/**
 * Why one job failed, as reported in its FAILED status event.
 *
 * @param code stable error code (see {@code io.pixartdelta.schemas.ErrorCodes})
 * @param message human-readable detail
 * @param retryable true if resubmitting the same job may succeed
 */
public record JobError(String code, String message, boolean retryable) {
  public JobError {
    if (code == null || code.isBlank()) {
      throw new IllegalArgumentException("code must not be blank");
    }
    if (message == null) {
      throw new IllegalArgumentException("message must not be null");
    }
  }
}
