package io.pixartdelta.schemas;

/**
 * Lifecycle state of a job as reported in {@link StatusEvent#state()}; written in JSON in upper
 * case.
 *
 * <p>A job normally moves ACCEPTED → STARTED → one terminal state. Delivery is at least once, so a
 * reader may see repeated or out-of-order events; the terminal event is the answer.
 */
public enum JobState {
  /** The worker read the job from Kafka and queued it. */
  ACCEPTED,
  /** Rendering began in a micro-batch. */
  STARTED,
  /** All images are stored; {@link StatusEvent#results()} lists them. */
  SUCCEEDED,
  /** The job ended without images; {@link StatusEvent#error()} says why. */
  FAILED,
  /** The job's deadline passed before rendering started. */
  EXPIRED,
  /**
   * A {@link CancelRequest} reached the job before rendering started; {@link StatusEvent#error()}
   * has code {@code cancelled}. Jobs that have started or finished are not cancelled.
   */
  CANCELLED;

  /** Whether no further state follows for this attempt. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == EXPIRED || this == CANCELLED;
  }
}
