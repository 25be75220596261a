package io.pixartdelta.worker.app;

import io.pixartdelta.pixart.cli.PipelineBenchCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code bench}: {@code --mode pipeline} (the default) is the model benchmark of {@code
 * pixart-model.jar bench}, run unchanged; {@code --mode e2e} benchmarks the whole worker path
 * against embedded Kafka and S3 (a command of the quick-start jar, worker/dev). Every other
 * argument goes to the chosen mode, so {@code bench --help} and {@code bench --mode e2e --help}
 * show each mode's options.
 */
@Command(
    name = "bench",
    description = {
      "Benchmark the model pipeline (--mode pipeline, default) or the whole worker path through"
          + " embedded Kafka and S3 (--mode e2e).",
      "Options of each mode: bench --help, bench --mode e2e --help."
    })
final class BenchCommand implements Callable<Integer> {
  /** Benchmark modes. */
  enum Mode {
    pipeline,
    e2e
  }

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "pipeline",
      description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Mode mode;

  @Unmatched List<String> arguments = new ArrayList<>();

  @Spec CommandLine.Model.CommandSpec spec;

  private final Supplier<Callable<Integer>> e2e;

  /** {@code e2e} makes the {@code --mode e2e} command; null where this jar has none. */
  BenchCommand(Supplier<Callable<Integer>> e2e) {
    this.e2e = e2e;
  }

  @Override
  public Integer call() {
    if (mode == Mode.e2e && e2e == null) {
      throw new OptionsException(
          "bench --mode e2e runs embedded Kafka and S3: use the quick-start jar"
              + " worker/target/pixart-worker.jar");
    }
    Object command = mode == Mode.e2e ? e2e.get() : new PipelineBenchCommand();
    CommandLine parent = spec.commandLine();
    CommandLine delegate = new CommandLine(command);
    delegate.setCommandName("bench");
    delegate.setOut(parent.getOut());
    delegate.setErr(parent.getErr());
    delegate.setExitCodeExceptionMapper(parent.getExitCodeExceptionMapper());
    delegate.setExecutionExceptionHandler(parent.getExecutionExceptionHandler());
    return delegate.execute(arguments.toArray(new String[0]));
  }
}
