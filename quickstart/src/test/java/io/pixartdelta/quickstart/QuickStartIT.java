package io.pixartdelta.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start as a new user runs it: the packaged jars, a fresh folder, {@code java
 * -jar worker/target/pixart-worker.jar run --embedded --demo 6}, then the producer command the
 * worker prints, pasted into a shell. What the user sees must be short and calm: no WARN or ERROR
 * line, no stack trace, and the image lands in the folder.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class QuickStartIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String WORKER_JAR = "worker/target/pixart-worker.jar";
  private static final String PRODUCER_JAR = "producer/target/pixart-producer.jar";
  private static final Pattern ALARMING =
      Pattern.compile("\\b(WARN|WARNING|ERROR|SEVERE)\\b|Exception|^\\s+at |^Caused by:");
  private static final int DEMO_JOBS = 6;

  @TempDir Path folder;

  @AfterEach
  void unlinkTheJars() throws IOException {
    for (String jar : List.of(WORKER_JAR, PRODUCER_JAR)) {
      Files.deleteIfExists(folder.resolve(jar)); // the link only, before the folder is removed
    }
  }

  @Test
  void theQuickStartIsShortCalmAndDownloadsTheImage() throws Exception {
    // The README's commands run from the repository root: the fresh folder gets the same layout.
    for (String jar : List.of(WORKER_JAR, PRODUCER_JAR)) {
      Path built = ROOT.resolve(jar);
      assertThat(built).as("%s is built by mvn package (run mvn verify)", jar).isRegularFile();
      Files.createDirectories(folder.resolve(jar).getParent());
      Files.createSymbolicLink(folder.resolve(jar), built);
    }
    Path workerOutput = folder.resolve("worker-output.txt");
    ProcessBuilder run =
        userCommand(
            List.of(
                javaBinary(),
                "-jar",
                WORKER_JAR,
                "run",
                "--embedded",
                "--demo",
                Integer.toString(DEMO_JOBS),
                // The defaults 9092 and 9000 may be taken on a build machine; the user sees the
                // same output with any ports.
                "--set",
                "embedded.kafka-port=" + freePort(),
                "--set",
                "embedded.s3-port=" + freePort()));
    Process worker = run.redirectErrorStream(true).redirectOutput(workerOutput.toFile()).start();
    try {
      awaitOutput(worker, workerOutput, "SUCCEEDED", DEMO_JOBS, Duration.ofMinutes(5));
      String printed = Files.readString(workerOutput, StandardCharsets.UTF_8);
      List<String> lines = printed.lines().toList();
      int hint = lines.indexOf("Submit a job from another terminal:");
      assertThat(hint).as(printed).isNotNegative();
      String producerCommand = lines.get(hint + 1).strip();
      assertThat(producerCommand).contains("java -jar " + PRODUCER_JAR + " submit");

      // Pasted into a shell in the same folder.
      Path producerOutput = folder.resolve("producer-output.txt");
      Process producer =
          userCommand(List.of("bash", "-c", producerCommand))
              .redirectErrorStream(true)
              .redirectOutput(producerOutput.toFile())
              .start();
      assertThat(producer.waitFor(5, TimeUnit.MINUTES)).as("producer finishes").isTrue();
      String seen = Files.readString(producerOutput, StandardCharsets.UTF_8);
      assertThat(producer.exitValue()).as(seen).isZero();
      assertCalm(seen, 8);
      assertThat(seen).contains("summary: 1 job, 1 succeeded").contains(" downloaded out/");

      List<Path> images;
      try (Stream<Path> files = Files.list(folder.resolve("out"))) {
        images = files.toList();
      }
      assertThat(images).hasSize(1);
      byte[] png = Files.readAllBytes(images.get(0));
      assertThat(png).startsWith(0x89, 'P', 'N', 'G');
      // It carries how it was made.
      assertThat(new String(png, StandardCharsets.ISO_8859_1))
          .contains("tEXtparameters\0a lighthouse at dawn\nSteps: 4, Sampler: lcm");

      worker.destroy(); // Ctrl+C
      assertThat(worker.waitFor(2, TimeUnit.MINUTES)).as("worker stops").isTrue();
      String all = Files.readString(workerOutput, StandardCharsets.UTF_8);
      assertThat(worker.exitValue()).as(all).isEqualTo(143);
      assertThat(all).contains("shutdown signal: draining (up to 30s)");
      // Header and hint (10), start-up (4), demo jobs and the submitted one (3 lines each),
      // shutdown (4).
      assertCalm(all, 50);
    } finally {
      worker.destroyForcibly();
    }
  }

  private static void assertCalm(String output, int maxLines) {
    List<String> lines = output.lines().toList();
    assertThat(lines).as(output).hasSizeLessThan(maxLines);
    assertThat(lines).as(output).noneMatch(line -> ALARMING.matcher(line).find());
  }

  /** A command in the user's folder with the user's environment: no PIXART_* settings. */
  private ProcessBuilder userCommand(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("PIXART_"));
    return builder;
  }

  private static void awaitOutput(
      Process process, Path output, String text, int times, Duration timeout)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (count(output, text) < times) {
      if (!process.isAlive() || System.nanoTime() > end) {
        throw new AssertionError(
            "waiting for " + times + "× '" + text + "':\n" + Files.readString(output));
      }
      Thread.sleep(200);
    }
  }

  private static long count(Path output, String text) throws IOException {
    if (!Files.exists(output)) {
      return 0;
    }
    return Files.readString(output).lines().filter(line -> line.contains(text)).count();
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
