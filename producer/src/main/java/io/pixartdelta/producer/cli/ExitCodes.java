package io.pixartdelta.producer.cli;

/**
 * Process exit codes of every command. When several apply, the highest wins (an infrastructure
 * error hides a timeout, a timeout hides a failed job).
 */
public final class ExitCodes {
  /** Every job succeeded (or, without {@code --wait}, was sent). */
  public static final int OK = 0;

  /** At least one job ended FAILED or EXPIRED. */
  public static final int FAILED = 1;

  /** Invalid command line or job definition; nothing was sent. */
  public static final int INVALID_INPUT = 2;

  /** At least one job had no terminal status within its timeout. */
  public static final int TIMED_OUT = 3;

  /** Kafka or S3 unreachable or failing. */
  public static final int INFRASTRUCTURE = 4;

  private ExitCodes() {}

  /** A one-line reason for an input error ({@code NoSuchFileException} only says the path). */
  static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file: " + e.getMessage();
    }
    if (e instanceof java.io.IOException) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return e.getMessage();
  }
}
