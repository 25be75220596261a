package io.pixartdelta.worker.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker ({@code WorkerMain run}, by default with {@code --renderer fake}) in its own JVM, so
 * that a test can kill it with SIGKILL (no drain, no commit, no close of its clients) or read its
 * output as a user would see it. Its output goes to a log file, printed when the test asks.
 */
final class WorkerProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private WorkerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a worker with the option values {@code values} and the fake renderer.
   *
   * @param batchMillis the fake renderer's time per batch ({@code pixart.fake.batch-millis})
   * @param log file that receives the worker's output
   */
  static WorkerProcess start(Map<String, String> values, long batchMillis, Path log)
      throws IOException {
    return start(
        List.of("-Dpixart.fake.batch-millis=" + batchMillis),
        List.of("--renderer", "fake"),
        values,
        log);
  }

  /**
   * Starts {@code WorkerMain run} with extra JVM options (after the default {@code -Xmx512m}, so
   * they may override it), extra {@code run} options and the option values {@code values}.
   */
  static WorkerProcess start(
      List<String> jvmOptions, List<String> runOptions, Map<String, String> values, Path log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.pixartdelta.worker.app.WorkerMain");
    command.add("run");
    command.addAll(runOptions);
    for (Map.Entry<String, String> entry : values.entrySet()) {
      command.add("--set");
      command.add(entry.getKey() + "=" + entry.getValue());
    }
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.isAlive()) {
      throw new AssertionError("worker exited at once:\n" + Files.readString(log));
    }
    return new WorkerProcess(process, log);
  }

  /** SIGTERM (the worker drains and stops), then waits for it to exit; returns its exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("worker process still running 60 s after SIGTERM");
    }
    return process.exitValue();
  }

  /** SIGKILL, then waits for the process to be gone; returns its exit code. */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("worker process survived SIGKILL for 30 s");
    }
    return process.exitValue();
  }

  /** True while the process runs. */
  boolean isAlive() {
    return process.isAlive();
  }

  /** The worker's output so far. */
  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
