package io.pixartdelta.worker.render;

/**
 * A terminal status event could not be stored even after the producer's retries. The worker must
 * stop: the job's offset stays uncommitted and the job is redelivered.
 */
public class StatusPublishException extends RuntimeException {
  public StatusPublishException(String jobId, Throwable cause) {
    super("terminal status of job " + jobId + " could not be published", cause);
  }
}
