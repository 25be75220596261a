package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.app.WorkerOptionsLoader;
import io.pixartdelta.worker.kafka.JobDispatcher;
import io.pixartdelta.worker.render.Renderer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, defect 4: the status schema promised that {@code attempt} goes up on redelivery, which
 * no worker could know (a consumer group keeps no delivery count). The contract now says what is
 * true: {@code attempt} is the submission attempt from the record's {@code pixart.attempt} header,
 * and a redelivery repeats it. Checked with a real crash: a worker process killed with SIGKILL
 * while holding two accepted, uncommitted jobs, and a second worker that finishes them.
 */
class AttemptCrashE2ETest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void aJobRedeliveredAfterAKillReportsTheAttemptItsRecordDeclares(@TempDir Path dir)
      throws Exception {
    String name = "crash";
    Map<String, String> values = E2EStack.fastFailover(stack.optionValues(name, "crash-1"));
    Map<String, String> first = new HashMap<>(values);
    first.put("worker.max-batch-size", "8");
    first.put("worker.max-wait", "1h"); // the jobs wait in the batcher: accepted, not committed

    RenderJob plain = RenderJob.builder("plain", "x").size(256, 256).steps(1).build();
    RenderJob resubmitted = RenderJob.builder("resubmitted", "x").size(256, 256).steps(1).build();
    try (StatusCollector statuses =
        StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name))) {
      WorkerProcess worker = WorkerProcess.start(first, 0, dir.resolve("worker-1.log"));
      try {
        stack.send(name, plain);
        sendWithAttempt(name, resubmitted, "3");
        statuses.awaitEvents(
            seen -> seen.stream().filter(e -> e.state() == JobState.ACCEPTED).count() == 2,
            TIMEOUT);
      } finally {
        // SIGKILL: no drain, no commit
        System.out.println("worker 1 killed, exit code " + worker.kill());
      }

      values.put("worker.id", "crash-2");
      WorkerOptions second = WorkerOptionsLoader.load(null, Map.of(), values);
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
}
