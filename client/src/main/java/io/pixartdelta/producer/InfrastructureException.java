package io.pixartdelta.producer;

/**
 * Kafka or S3 could not be reached or refused an operation (broker unreachable, topic missing,
 * object store error, corrupt download). Nothing is wrong with the job itself: retry later.
 */
public class InfrastructureException extends RuntimeException {
  public InfrastructureException(String message) {
    super(message);
  }

  public InfrastructureException(String message, Throwable cause) {
    super(message, cause);
  }
}
