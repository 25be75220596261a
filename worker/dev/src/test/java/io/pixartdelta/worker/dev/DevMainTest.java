package io.pixartdelta.worker.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.worker.app.WorkerMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The quick-start jar's command line is the worker's plus the embedded mode and the e2e bench. */
class DevMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(CommandLine cli, String... args) {
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void runHelpListsTheQuickStartFlags() {
    assertThat(run(DevMain.commandLine(), "run", "--embedded", "--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--embedded", "--demo=N", "--data-dir", "--model", "--renderer", "--set=KEY=VALUE");
  }

  @Test
  void theWorkersOwnFlagsAndSubcommandsAreAllThere() {
    assertThat(run(WorkerMain.commandLine(), "run", "--help")).isZero();
    String worker = out.toString();
    out.getBuffer().setLength(0);
    assertThat(run(DevMain.commandLine(), "run", "--help")).isZero();
    String dev = out.toString();
    for (String line : worker.lines().filter(l -> l.trim().startsWith("-")).toList()) {
      assertThat(dev).contains(line.trim());
    }
    assertThat(DevMain.commandLine().getSubcommands().keySet())
        .containsExactlyElementsOf(WorkerMain.commandLine().getSubcommands().keySet())
        .contains("run", "render", "bench", "help");
  }

  @Test
  void anEmbeddedServiceThatCannotStartIsAStartupError(@TempDir Path tmp) throws IOException {
    // A data folder that is a file: the broker cannot create its log folder under it.
    Path notAFolder = Files.writeString(tmp.resolve("data"), "x");
    int exit =
        run(
            DevMain.commandLine(),
            "run",
            "--embedded",
            "--renderer",
            "fake",
            "--data-dir",
            notAFolder.toString(),
            "--set",
            "embedded.kafka-port=0",
            "--set",
            "embedded.s3-port=0");
    assertThat(exit).as(err.toString()).isEqualTo(WorkerMain.EXIT_STARTUP);
    assertThat(err.toString()).contains("cannot create Kafka data folder");
  }

  @Test
  void aBusyEmbeddedPortEndsWithOneLineNamingTheFix(@TempDir Path tmp) throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
      int port = busy.getLocalPort();
      int exit =
          run(
              DevMain.commandLine(),
              "run",
              "--embedded",
              "--renderer",
              "fake",
              "--data-dir",
              tmp.toString(),
              "--set",
              "embedded.kafka-port=" + port);
      assertThat(exit).as(err.toString()).isEqualTo(WorkerMain.EXIT_STARTUP);
      assertThat(err.toString().lines())
          .containsExactly(
              "error: port "
                  + port
                  + " for the embedded Kafka is in use; stop what listens there or run with"
                  + " --set embedded.kafka-port=0 (any free port)");
      assertThat(out.toString()).isEmpty();
    }
  }
}
