package io.pixartdelta.producer;

import io.pixartdelta.schemas.JobState;

/**
 * A job reached a terminal state other than {@link JobState#SUCCEEDED}: the worker reported FAILED
 * (with a stable error code from {@link io.pixartdelta.schemas.ErrorCodes}) or EXPIRED (deadline
 * passed before rendering). Resubmitting the same job id returns the same outcome; to retry, submit
 * the job again under a new id, and only when {@link #retryable()} says so.
 */
public class RenderFailedException extends RuntimeException {
  private final String jobId;
  private final JobState state;
  private final String errorCode;
  private final boolean retryable;

  public RenderFailedException(
      String jobId, JobState state, String errorCode, String message, boolean retryable) {
    super("job " + jobId + " " + state + " (" + errorCode + "): " + message);
    this.jobId = jobId;
    this.state = state;
    this.errorCode = errorCode;
    this.retryable = retryable;
  }

  public String jobId() {
    return jobId;
  }

  /** FAILED or EXPIRED. */
  public JobState state() {
    return state;
  }

  /** Stable code, e.g. {@code render-failed}; {@code deadline-exceeded} for EXPIRED jobs. */
  public String errorCode() {
    return errorCode;
  }

  /** Whether the worker considers a retry under a new job id worthwhile. */
  public boolean retryable() {
    return retryable;
  }
}
