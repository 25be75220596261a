package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ErrorInfo;

/**
 * A job cannot be rendered as given (not allowed, unsupported, unreadable control image...): it
 * fails with {@link #error()} and is not retried by the worker.
 */
public class JobRejectedException extends RuntimeException {
  private final transient ErrorInfo error;

  public JobRejectedException(ErrorInfo error) {
    super(error.code() + ": " + error.message());
    this.error = error;
  }

  public JobRejectedException(ErrorInfo error, Throwable cause) {
    super(error.code() + ": " + error.message(), cause);
    this.error = error;
  }

  /** The FAILED event's error. */
  public ErrorInfo error() {
    return error;
  }
}
