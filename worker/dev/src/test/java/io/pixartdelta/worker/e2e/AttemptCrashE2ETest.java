package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.kafka.JobDispatcher;
import io.pixartdelta.worker.render.Renderer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, defect 4: the status schema promised that {@code attempt} goes up on redelivery, which
 * no worker could know (a consumer group keeps no delivery count). The contract now says what is
 * true: {@code attempt} is the submission attempt from the record's {@code pixart.attempt} header,
 * and a redelivery repeats it. Checked with a real crash: a worker process killed with SIGKILL
 * while holding two accepted, uncommitted jobs, and a second worker that finishes them.
 */
class AttemptCrashE2ETest {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static E2EStack stack;

  @BeforeAll
  static void startServers() {
    stack = new E2EStack();
  }

  @AfterAll
  static void stopServers() {
    stack.close();
  }

  @Test
  void aJobRedeliveredAfterAKillReportsTheAttemptItsRecordDeclares(@TempDir Path dir)
      throws Exception {
    String name = "crash";
    Map<String, String> values = new HashMap<>(stack.optionValues(name, "crash-1"));
    // Classic groups let a dead member's partitions move after a 6 s session timeout (KIP-848's
    // broker-side minimum is 45 s).
    values.put("kafka.group-protocol", "classic");
    values.put("kafka.client.session.timeout.ms", "6000");
    values.put("kafka.client.heartbeat.interval.ms", "500");
    Map<String, String> first = new HashMap<>(values);
    first.put("worker.max-batch-size", "8");
    first.put("worker.max-wait", "1h"); // the jobs wait in the batcher: accepted, not committed

    RenderJob plain = RenderJob.builder("plain", "x").size(256, 256).steps(1).build();
    RenderJob resubmitted = RenderJob.builder("resubmitted", "x").size(256, 256).steps(1).build();
    try (StatusCollector statuses =
        StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name))) {
      Process worker = startProcess(first, dir.resolve("worker-1.log"));
      try {
        stack.send(name, plain);
        sendWithAttempt(name, resubmitted, "3");
        statuses.awaitEvents(
            seen -> seen.stream().filter(e -> e.state() == JobState.ACCEPTED).count() == 2,
            TIMEOUT);
      } finally {
        worker.destroyForcibly(); // SIGKILL: no drain, no commit
        assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      System.out.println("worker 1 killed, exit code " + worker.exitValue());

      values.put("worker.id", "crash-2");
      WorkerOptions second = WorkerOptions.load(null, Map.of(), values);
      List<StatusEvent> events;
      try (Renderer renderer = E2EStack.renderer();
          Worker survivor = Worker.start(second, renderer)) {
        statuses.awaitTerminal(List.of("plain", "resubmitted"), TIMEOUT);
        events = statuses.pollFor(Duration.ofMillis(200));
        assertThat(survivor.failure()).isNull();
      }

      for (StatusEvent e : events) {
        System.out.printf(
            "%s %s attempt %d by %s%n", e.jobId(), e.state(), e.attempt(), e.workerId());
      }
      assertRedelivered(events, "plain", 1);
      assertRedelivered(events, "resubmitted", 3);
    }
  }

  /** ACCEPTED by the killed worker, then ACCEPTED and SUCCEEDED by the survivor, same attempt. */
  private static void assertRedelivered(List<StatusEvent> events, String jobId, int attempt) {
    List<StatusEvent> mine = events.stream().filter(e -> e.jobId().equals(jobId)).toList();
    assertThat(mine)
        .filteredOn(e -> e.workerId().equals("crash-1"))
        .extracting(StatusEvent::state)
        .containsExactly(JobState.ACCEPTED);
    assertThat(mine)
        .filteredOn(e -> e.workerId().equals("crash-2"))
        .extracting(StatusEvent::state)
        .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
    assertThat(mine).extracting(StatusEvent::attempt).containsOnly(attempt);
  }

  private static void sendWithAttempt(String name, RenderJob job, String attempt) throws Exception {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            E2EStack.jobsTopic(name),
            job.jobId().getBytes(StandardCharsets.UTF_8),
            JsonCodec.shared().encode(job));
    record.headers().add(JobDispatcher.ATTEMPT_HEADER, attempt.getBytes(StandardCharsets.UTF_8));
    stack.sendRecord(record);
  }

  private static Process startProcess(Map<String, String> values, Path log) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
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
    return process;
  }
}
