package io.pixartdelta.worker.app;

/** A service the worker needs (e.g. an embedded broker) cannot start: exit code 3. */
public class StartupException extends RuntimeException {
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }

  public StartupException(String message) {
    super(message);
  }
}
