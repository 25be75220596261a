package io.pixartdelta.producer;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one job: its terminal status event (SUCCEEDED, FAILED or EXPIRED).
 *
 * <p>A failed job completes its future normally with this record; call {@link #orThrow()} to turn
 * FAILED/EXPIRED into a {@link RenderFailedException}.
 *
 * @param terminal the terminal status event as published by the worker
 */
public record JobResult(StatusEvent terminal) {
  public JobResult {
    Objects.requireNonNull(terminal, "terminal");
    if (!terminal.state().isTerminal()) {
      throw new IllegalArgumentException(
          "terminal: state " + terminal.state() + " is not terminal for job " + terminal.jobId());
    }
  }

  public String jobId() {
    return terminal.jobId();
  }

  public JobState state() {
    return terminal.state();
  }

  public boolean succeeded() {
    return terminal.state() == JobState.SUCCEEDED;
  }

  /** The rendered images (empty unless {@link #succeeded()}). */
  public List<ImageResult> results() {
    return terminal.results() == null ? List.of() : terminal.results();
  }

  /** The stable error code of a FAILED/EXPIRED job, or {@code null} for a successful one. */
  public String errorCode() {
    if (succeeded()) {
      return null;
    }
    ErrorInfo error = terminal.error();
    if (error != null) {
      return error.code();
    }
    // An EXPIRED event may carry no error object: its meaning is fixed anyway.
    return terminal.state() == JobState.EXPIRED
        ? ErrorCodes.DEADLINE_EXCEEDED
        : ErrorCodes.INTERNAL_ERROR;
  }

  /**
   * Returns this result when the job succeeded.
   *
   * @throws RenderFailedException carrying the error code when the job FAILED or EXPIRED
   */
  public JobResult orThrow() {
    if (succeeded()) {
      return this;
    }
    ErrorInfo error = terminal.error();
    String message = error != null ? error.message() : "no error details in the status event";
    boolean retryable = error != null && error.retryable();
    throw new RenderFailedException(jobId(), state(), errorCode(), message, retryable);
  }
}
