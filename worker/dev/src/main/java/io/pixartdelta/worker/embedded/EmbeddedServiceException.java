package io.pixartdelta.worker.embedded;

import io.pixartdelta.worker.app.StartupException;

/** An embedded broker or S3 server cannot start or stop. Fatal for the process that needs it. */
public class EmbeddedServiceException extends StartupException {
  public EmbeddedServiceException(String message, Throwable cause) {
    super(message, cause);
  }

  public EmbeddedServiceException(String message) {
    super(message);
  }
}
