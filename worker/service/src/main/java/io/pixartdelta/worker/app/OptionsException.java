package io.pixartdelta.worker.app;

/** The configuration is invalid; the message names the option. Fatal at start-up. */
public class OptionsException extends RuntimeException {
  public OptionsException(String message) {
    super(message);
  }

  public OptionsException(String message, Throwable cause) {
    super(message, cause);
  }
}
