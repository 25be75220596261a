package io.pixartdelta.worker.dev;

import io.pixartdelta.worker.app.WorkerMain;
import picocli.CommandLine;

/**
 * The quick-start jar's command line: the worker's ({@link WorkerMain}) with {@code run --embedded
 * [--demo N] [--data-dir DIR]} ({@link EmbeddedRun}) and {@code bench --mode e2e} ({@link
 * E2eBenchCommand}). Exit codes as in {@link WorkerMain}.
 */
public final class DevMain {
  private DevMain() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The picocli command tree (also used by tests). */
  public static CommandLine commandLine() {
    return WorkerMain.commandLine(new EmbeddedRun(), E2eBenchCommand::new);
  }
}
