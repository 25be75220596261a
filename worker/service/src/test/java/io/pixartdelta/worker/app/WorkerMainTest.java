package io.pixartdelta.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class WorkerMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir Path dir;

  private int run(String... args) {
    CommandLine cli = WorkerMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void runHelpListsTheConnectionFlagsButNoEmbeddedMode() {
    assertThat(run("run", "--help")).isZero();
    assertThat(out.toString())
        .contains("--bootstrap-servers", "--s3-endpoint", "--model", "--set=KEY=VALUE")
        .doesNotContain("--embedded", "--demo", "--data-dir");
  }

  @Test
  void embeddedModeIsAUsageErrorPointingAtTheQuickStartJar() {
    assertThat(run("run", "--embedded")).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(run("run", "--renderer", "fake", "--set", "embedded=true"))
        .isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err.toString()).contains("worker/target/pixart-worker.jar");
  }

  @Test
  void theEndToEndBenchIsAUsageErrorPointingAtTheQuickStartJar() {
    assertThat(run("bench", "--mode", "e2e", "--jobs", "1")).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err.toString()).contains("worker/target/pixart-worker.jar");
    out.getBuffer().setLength(0);
    assertThat(run("bench", "--help")).isZero();
    assertThat(out.toString()).contains("--random-weights", "--batch");
  }

  @Test
  void anUnknownRendererIsAUsageErrorNamingTheInstalledOnes() {
    assertThat(run("run", "--renderer", "nope")).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err.toString()).contains("renderer 'nope' is not available").contains("fake");
  }

  @Test
  void anInvalidOptionIsAUsageError() {
    assertThat(run("run", "--renderer", "fake", "--set", "worker.max-batch-size=0"))
        .isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err.toString()).contains("worker.max-batch-size");
    assertThat(run("run", "--set", "no.such.option=1")).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err.toString()).contains("unknown option 'no.such.option'");
  }

  @Test
  void anUnknownFlagIsAUsageError() {
    assertThat(run("run", "--no-such-flag")).isEqualTo(WorkerMain.EXIT_USAGE);
  }
}
