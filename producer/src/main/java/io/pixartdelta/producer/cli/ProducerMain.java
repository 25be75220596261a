package io.pixartdelta.producer.cli;

import io.pixartdelta.common.VerboseOption;
import io.pixartdelta.producer.InfrastructureException;
import io.pixartdelta.producer.S3CredentialsException;
import io.pixartdelta.schemas.InvalidMessageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;

/**
 * {@code pixart-producer}: submit render jobs, look up and watch their status, generate load.
 *
 * <p>Exit codes: see {@link ExitCodes} (0 ok, 1 failed jobs, 2 invalid input, 3 timed out, 4
 * Kafka/S3 unreachable).
 */
@Command(
    name = "pixart-producer",
    mixinStandardHelpOptions = true,
    version = "pixart-producer 0.1.0",
    description = "Submit PixArt-δ render jobs to Kafka and follow their status events.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every job succeeded (without --wait: every job was sent)",
      "1:at least one job FAILED, EXPIRED or CANCELLED",
      "2:invalid input (command line, job file, mix file)",
      "3:timed out waiting for a terminal status (status: job not finished)",
      "4:Kafka or S3 unreachable or failing"
    },
    subcommands = {
      SubmitCommand.class,
      StatusCommand.class,
      WatchCommand.class,
      CancelCommand.class,
      LoadgenCommand.class,
      HelpCommand.class
    })
public final class ProducerMain {
  private ProducerMain() {}

  @Mixin VerboseOption verbose;

  public static void main(String[] args) {
    // The CLI's own quiet logging config, unless the user brings one (the library ships none).
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "pixart-producer-logback.xml");
    }
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also used by tests to run commands in-process). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ProducerMain());
    cli.setExitCodeExceptionMapper(ProducerMain::exitCode);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine
              .getErr()
              .println(
                  prefix(e)
                      + (e instanceof S3CredentialsException
                          ? ConnectionOptions.NO_S3_CREDENTIALS
                          : e.getMessage()));
          commandLine.getErr().flush();
          return exitCode(e);
        });
    return cli;
  }

  static int exitCode(Throwable e) {
    if (e instanceof InfrastructureException) {
      return ExitCodes.INFRASTRUCTURE;
    }
    if (e instanceof IllegalArgumentException
        || e instanceof InvalidMessageException
        || e instanceof CommandLine.ParameterException) {
      return ExitCodes.INVALID_INPUT;
    }
    return ExitCodes.INFRASTRUCTURE;
  }

  private static String prefix(Throwable e) {
    if (e instanceof InfrastructureException) {
      return "infrastructure error: ";
    }
    if (exitCode(e) == ExitCodes.INVALID_INPUT) {
      return "invalid input: ";
    }
    return "error: " + e.getClass().getSimpleName() + ": ";
  }
}
