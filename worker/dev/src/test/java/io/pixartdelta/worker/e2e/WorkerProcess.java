package io.pixartdelta.worker.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker ({@code WorkerMain run --renderer fake}) in its own JVM, so that a test can kill it with
 * SIGKILL: no drain, no commit, no close of its clients. Its output goes to a log file, printed
 * when the test asks.
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
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-Dpixart.fake.batch-millis=" + batchMillis);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.pixartdelta.worker.app.WorkerMain");
    command.add("run");
    command.add("--renderer");
    command.add("fake");
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
