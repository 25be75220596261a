package io.pixartdelta.producer.cli;

import picocli.CommandLine.Option;

/**
 * Open loop (a fixed rate) or closed loop (a bounded number in flight): the exclusive argument
 * group of {@code loadgen} and of the worker's {@code bench --mode e2e}, each with its own
 * multiplicity.
 */
public final class LoadPace {
  @Option(
      names = "--rate",
      required = true,
      paramLabel = "JOBS_PER_S",
      description = "Open loop: submit at this rate in jobs per second (e.g. 2, 0.5).")
  private Double rate;

  @Option(
      names = "--in-flight",
      required = true,
      paramLabel = "N",
      description =
          "Closed loop: submit as fast as possible with at most N unfinished jobs (finds the"
              + " sustainable maximum).")
  private Integer inFlight;

  /** Jobs per second, or null for the closed loop. */
  public Double rate() {
    return rate;
  }

  /** The in-flight bound, or null for the open loop. */
  public Integer inFlight() {
    return inFlight;
  }
}
