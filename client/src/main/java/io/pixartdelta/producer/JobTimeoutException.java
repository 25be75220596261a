package io.pixartdelta.producer;

import io.pixartdelta.common.Durations;
import io.pixartdelta.schemas.JobState;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * No terminal status arrived for a job within its timeout. The job may still finish: its status can
 * be looked up later ({@code status JOBID}), and resubmitting the same id waits for it again
 * without rendering it twice.
 */
public class JobTimeoutException extends TimeoutException {
  private final String jobId;
  private final Duration timeout;
  private final JobState lastState;

  public JobTimeoutException(String jobId, Duration timeout, JobState lastState) {
    super(
        "job "
            + jobId
            + " did not finish within "
            + Durations.format(timeout)
            + " (last state: "
            + (lastState == null ? "none seen" : lastState)
            + ")");
    this.jobId = jobId;
    this.timeout = timeout;
    this.lastState = lastState;
  }

  public String jobId() {
    return jobId;
  }

  public Duration timeout() {
    return timeout;
  }

  /** The last state seen before the timeout, or {@code null} when no status event arrived. */
  public JobState lastState() {
    return lastState;
  }
}
