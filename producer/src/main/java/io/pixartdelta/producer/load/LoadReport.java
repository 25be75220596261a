package io.pixartdelta.producer.load;

import java.util.Map;
import java.util.Objects;

/**
 * Outcome of one load run.
 *
 * <p>Every submitted job ends in exactly one of succeeded, failed, expired, timed out (no terminal
 * status within the client's timeout) or errors (the client could not submit or follow it), so
 * {@link #finished()} equals {@code submitted} when the run is complete; {@link #lost()} is the
 * difference.
 *
 * <p>Throughput is measured over the steady window: from the first completion (the pipeline is
 * full) to the last submission (the drain tail starts), counting the jobs that succeeded inside it.
 * When that window is shorter than half the run (short runs), throughput is all successes over the
 * whole run instead: {@link #throughputWindow()} says which, {@link #windowSeconds()} how long.
 *
 * @param submitted jobs handed to the client
 * @param succeeded jobs with a SUCCEEDED status
 * @param failed jobs with a FAILED status
 * @param expired jobs with an EXPIRED status
 * @param timedOut jobs without a terminal status within the timeout
 * @param errors jobs the client could not submit or follow
 * @param images images of the succeeded jobs
 * @param failuresByCode FAILED and EXPIRED jobs by error code, sorted by code
 * @param elapsedSeconds first submission to last completion
 * @param submitRate achieved submission rate, jobs/s
 * @param throughputWindow the window {@code throughput} was measured over
 * @param windowSeconds length of that window
 * @param throughput succeeded jobs/s over that window
 * @param imagesPerSecond images/s over the whole run
 * @param latencyP50Ms submit-to-SUCCEEDED latency, 50th percentile (ms)
 * @param latencyP90Ms 90th percentile (ms)
 * @param latencyP99Ms 99th percentile (ms)
 * @param latencyMaxMs maximum (ms)
 */
public record LoadReport(
    long submitted,
    long succeeded,
    long failed,
    long expired,
    long timedOut,
    long errors,
    long images,
    Map<String, Long> failuresByCode,
    double elapsedSeconds,
    double submitRate,
    ThroughputWindow throughputWindow,
    double windowSeconds,
    double throughput,
    double imagesPerSecond,
    long latencyP50Ms,
    long latencyP90Ms,
    long latencyP99Ms,
    long latencyMaxMs) {
  /** The span a throughput was measured over. */
  public enum ThroughputWindow {
    /** First completion to last submission: neither ramp-up nor drain tail. */
    STEADY("the steady window"),
    /** First submission to last completion, when the steady window is too short to time. */
    WHOLE_RUN("the whole run");

    private final String description;

    ThroughputWindow(String description) {
      this.description = description;
    }

    /** {@code the steady window} or {@code the whole run}. */
    public String description() {
      return description;
    }
  }

  public LoadReport {
    failuresByCode = Map.copyOf(failuresByCode);
    Objects.requireNonNull(throughputWindow, "throughputWindow");
  }

  /** Jobs with an outcome of any kind. */
  public long finished() {
    return succeeded + failed + expired + timedOut + errors;
  }

  /** Submitted jobs without any outcome (non-zero only if the run was cut short). */
  public long lost() {
    return submitted - finished();
  }

  /** True when every submitted job succeeded. */
  public boolean allSucceeded() {
    return submitted > 0 && succeeded == submitted;
  }
}
