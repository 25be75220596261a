package io.pixartdelta.producer.cli;

import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.schemas.StatusEvent;
import java.nio.file.Path;

/**
 * Where a command's per-job output goes: plain lines, JSON lines or a progress bar. Methods may be
 * called from the client's status thread and the main thread; implementations synchronize.
 */
interface Reporter extends AutoCloseable {
  /** A job was written to Kafka ({@code sent}) or skipped because its id is already known. */
  void sent(String jobId, boolean sent);

  /** A new state of a job (duplicates and stale events already filtered). */
  void status(StatusEvent event);

  void timedOut(JobTimeoutException timeout);

  /** A job could not be sent or followed (Kafka/S3 trouble). */
  void error(String jobId, Throwable error);

  void downloaded(String jobId, Path file);

  /** Final counts; printed last. */
  void summary(int jobs, Tally tally);

  @Override
  void close();
}
