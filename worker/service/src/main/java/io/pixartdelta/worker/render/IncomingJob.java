package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.RenderJob;
import java.time.Instant;
import java.util.Objects;

/**
 * A job read from the jobs topic, handed to the {@link RenderService}.
 *
 * @param job the decoded job
 * @param attempt submission attempt from the record's attempt header (from 1); not a delivery count
 * @param receivedAt when the worker read it (start of the queue wait)
 * @param source where it came from (the Kafka partition); used to abandon the jobs of revoked
 *     partitions
 * @param onDone called once, after the job's outputs are stored and its terminal status event is
 *     acknowledged; never called for an abandoned job
 */
public record IncomingJob(
    RenderJob job, int attempt, Instant receivedAt, Object source, Runnable onDone) {
  public IncomingJob {
    Objects.requireNonNull(job, "job");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
    }
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(onDone, "onDone");
  }
}
