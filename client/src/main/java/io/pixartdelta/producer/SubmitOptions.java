package io.pixartdelta.producer;

import java.time.Duration;

/**
 * Per-call settings of {@link RenderClient#submit(io.pixartdelta.schemas.RenderJob,
 * SubmitOptions)}.
 *
 * @param timeout time from submission to the terminal status after which the future fails with
 *     {@link JobTimeoutException}; {@code null} uses the client's default timeout
 * @param listener progress callback for this job; {@code null} for none
 */
public record SubmitOptions(Duration timeout, JobProgressListener listener) {
  public SubmitOptions {
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout: must be positive, got " + timeout);
    }
  }

  /** Default timeout, no listener. */
  public static SubmitOptions defaults() {
    return new SubmitOptions(null, null);
  }

  public SubmitOptions withTimeout(Duration newTimeout) {
    return new SubmitOptions(newTimeout, listener);
  }

  public SubmitOptions withListener(JobProgressListener newListener) {
    return new SubmitOptions(timeout, newListener);
  }
}
