package io.pixartdelta.producer.load;

import java.time.Duration;

/**
 * How a {@link LoadGenerator} paces and bounds its submissions.
 *
 * <p>Open loop ({@link #fixedRate}): one job every {@code 1/rate} seconds whatever the worker does,
 * so latency grows without bound when the rate exceeds capacity. Closed loop ({@link #inFlight}): a
 * new job as soon as fewer than {@code maxInFlight} are unfinished, so the achieved throughput is
 * the sustainable maximum at that concurrency.
 *
 * <p>Submission stops at {@code duration} or after {@code maxJobs} jobs, whichever comes first
 * (either may be absent, not both); then the generator waits for every submitted job to finish.
 *
 * @param ratePerSecond target jobs/s for the open loop, 0 for the closed loop
 * @param maxInFlight unfinished-job bound for the closed loop, 0 for the open loop
 * @param duration submission time limit, or null
 * @param maxJobs submission count limit, or 0 for none
 */
public record LoadShape(double ratePerSecond, int maxInFlight, Duration duration, long maxJobs) {
  /** Upper bound of the open-loop rate; above it the pacing thread itself becomes the limit. */
  public static final double MAX_RATE = 10_000;

  public LoadShape {
    boolean open = ratePerSecond != 0;
    if (open == (maxInFlight != 0)) {
      throw new IllegalArgumentException(
          "exactly one of ratePerSecond and maxInFlight must be set, got rate "
              + ratePerSecond
              + " and maxInFlight "
              + maxInFlight);
    }
    if (open && (!(ratePerSecond > 0) || ratePerSecond > MAX_RATE)) {
      throw new IllegalArgumentException(
          "ratePerSecond must be in (0, " + (long) MAX_RATE + "], got " + ratePerSecond);
    }
    if (maxInFlight < 0) {
      throw new IllegalArgumentException("maxInFlight must be positive, got " + maxInFlight);
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (maxJobs < 0) {
      throw new IllegalArgumentException("maxJobs must be >= 0, got " + maxJobs);
    }
    if (duration == null && maxJobs == 0) {
      throw new IllegalArgumentException("duration or maxJobs must bound the load");
    }
  }

  /** Open loop: {@code ratePerSecond} jobs/s for {@code duration}, at most {@code maxJobs}. */
  public static LoadShape fixedRate(double ratePerSecond, Duration duration, long maxJobs) {
    return new LoadShape(ratePerSecond, 0, duration, maxJobs);
  }

  /** Closed loop: at most {@code maxInFlight} unfinished jobs, for a duration and/or a count. */
  public static LoadShape inFlight(int maxInFlight, Duration duration, long maxJobs) {
    return new LoadShape(0, maxInFlight, duration, maxJobs);
  }

  /** True for the closed loop. */
  public boolean closedLoop() {
    return maxInFlight > 0;
  }

  /** Human-readable pacing, e.g. "rate 200.0/s" or "in flight 64". */
  public String describe() {
    return closedLoop() ? "in flight " + maxInFlight : "rate " + ratePerSecond + "/s";
  }
}
