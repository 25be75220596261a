package io.pixartdelta.common;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code --verbose} of every command-line tool (a picocli mixin of the top command). */
public final class VerboseOption {
  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description =
          "Log details to stderr: library messages (Kafka, S3, DJL, embedded services) at INFO,"
              + " ours at DEBUG.")
  void verbose(boolean on) {
    if (on) {
      LogVerbosity.verbose();
    }
  }
}
