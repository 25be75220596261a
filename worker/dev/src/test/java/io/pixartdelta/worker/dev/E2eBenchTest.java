package io.pixartdelta.worker.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.producer.load.LoadReport;
import io.pixartdelta.worker.app.WorkerMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code bench --mode e2e} on a few jobs with the bundled tiny model: every job succeeds through
 * the embedded broker, S3Proxy and the in-process worker, and the report's counts add up. Not a
 * timing test: the figures are printed, never asserted.
 */
class E2eBenchTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = DevMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aFewTinyModelJobsAllSucceedAndTheCountsAddUp() throws Exception {
    E2eBenchCommand command = new E2eBenchCommand();
    new CommandLine(command)
        .parseArgs("--jobs", "6", "--in-flight", "4", "--warmup", "2", "--duration", "2m");
    E2eBench.Result result =
        E2eBench.run(command.settings(), "pixart", null, new PrintWriter(out, true));

    LoadReport load = result.load();
    assertThat(result.modelId()).contains("tiny");
    assertThat(result.warmup().submitted()).isEqualTo(2);
    assertThat(result.warmup().allSucceeded()).isTrue();
    assertThat(load.submitted()).isEqualTo(6);
    assertThat(load.succeeded()).isEqualTo(6);
    assertThat(load.finished()).isEqualTo(load.submitted());
    assertThat(load.lost()).isZero();
    assertThat(load.failuresByCode()).isEmpty();
    assertThat(load.images()).isEqualTo(6);
    assertThat(result.clean()).isTrue();
    assertThat(result.stages().jobs()).isEqualTo(6);
    assertThat(result.stages().uploadMs()).isGreaterThanOrEqualTo(0);
    assertThat(result.cpuMs()).containsKey("total");
    double groups =
        result.cpuMs().entrySet().stream()
            .filter(e -> !e.getKey().equals("total"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
    // The groups cover the process: threads by name, the rest (GC, JIT) as the remainder.
    assertThat(groups).isGreaterThanOrEqualTo(result.cpuMs().get("total") - 1e-6);
    assertThat(load.latencyP50Ms())
        .isLessThanOrEqualTo(load.latencyP99Ms())
        .isLessThanOrEqualTo(load.latencyMaxMs());
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void theCommandPrintsTheTableAndExitsZeroWhenAllSucceed() {
    int exit =
        run(
            "bench",
            "--mode",
            "e2e",
            "--renderer",
            "fake",
            "--rate",
            "20",
            "--jobs",
            "5",
            "--warmup",
            "0",
            "--duration",
            "1m");
    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("| jobs | succeeded | failed | lost |")
        .containsPattern("\\| 5 \\| 5 \\| 0 \\| 0 \\|")
        .contains("worker stages");
  }

  @Test
  void aFailedJobMakesTheExitCodeNonZero() {
    // The fake renderer fails items whose prompt says #fail; the e2e jobs never do, so check the
    // mapping on the result instead: any failure or loss is not clean.
    LoadReport failing =
        new LoadReport(
            3,
            2,
            1,
            0,
            0,
            0,
            2,
            java.util.Map.of("render-failed", 1L),
            1,
            3,
            LoadReport.ThroughputWindow.WHOLE_RUN,
            1,
            2,
            2,
            1,
            1,
            1,
            1);
    E2eBench.Result result = new E2eBench.Result(null, "m", null, failing, null, null);
    assertThat(result.clean()).isFalse();
  }

  @Test
  void badOptionsAreUsageErrorsBeforeAnythingStarts() {
    assertThat(run("bench", "--mode", "e2e", "--size", "100x100", "--jobs", "1"))
        .isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err.toString()).contains("width");
    assertThat(run("bench", "--mode", "e2e", "--rate", "5", "--in-flight", "2"))
        .isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(run("bench", "--mode", "nope")).isEqualTo(WorkerMain.EXIT_USAGE);
  }

  @Test
  void pipelineModeIsTheModelBenchmark() {
    assertThat(run("bench", "--help")).isZero();
    assertThat(out.toString()).contains("--random-weights", "--batch", "--kernels");
    out.getBuffer().setLength(0);
    assertThat(run("bench", "--mode", "e2e", "--help")).isZero();
    assertThat(out.toString()).contains("--in-flight", "--rate", "--set=KEY=VALUE");
  }
}
