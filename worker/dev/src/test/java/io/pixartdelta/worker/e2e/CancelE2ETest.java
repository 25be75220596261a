package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.producer.JobResult;
import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.schemas.CancelRequest;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptionsLoader;
import io.pixartdelta.worker.kafka.DeadLetterPublisher;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.render.FakeRenderer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cancellation end to end: the producer's {@link RenderClient#cancel} sends cancel requests on the
 * jobs topic; the worker ends queued jobs CANCELLED (never rendered), leaves started and finished
 * jobs alone, and dead-letters an unreadable request without a status event.
 */
class CancelE2ETest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void queuedJobsEndCancelledAndStartedOrFinishedJobsAreNotAffected() throws Exception {
    String name = "cancel";
    Map<String, String> values = new HashMap<>(stack.optionValues(name, "cancel-1"));
    values.put("worker.max-batch-size", "1"); // one job per second: the last ones wait
    List<StatusEvent> events;
    Map<String, JobResult> results = new HashMap<>();
    try (FakeRenderer renderer = new FakeRenderer(false, Duration.ofSeconds(1));
        Worker worker = Worker.start(WorkerOptionsLoader.load(null, Map.of(), values), renderer);
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        StatusCollector dlt =
            StatusCollector.raw(stack.kafka.bootstrapServers(), E2EStack.deadLetterTopic(name));
        RenderClient client =
            RenderClient.builder(stack.kafka.bootstrapServers())
                .jobsTopic(E2EStack.jobsTopic(name))
                .statusTopic(E2EStack.statusTopic(name))
                .defaultTimeout(TIMEOUT)
                .build()) {
      client.ready().get(30, TimeUnit.SECONDS);
      Map<String, CompletableFuture<JobResult>> futures = new HashMap<>();
      for (int i = 0; i < 4; i++) {
        RenderJob job = RenderJob.builder("c-" + i, "p " + i).size(256, 256).steps(1).build();
        futures.put(job.jobId(), client.submit(job));
      }
      statuses.awaitEvents(
          seen ->
              seen.stream().anyMatch(e -> e.state() == JobState.STARTED)
                  && seen.stream().filter(e -> e.state() == JobState.ACCEPTED).count() == 4,
          TIMEOUT);
      String started =
          statuses.pollFor(Duration.ZERO).stream()
              .filter(e -> e.state() == JobState.STARTED)
              .findFirst()
              .orElseThrow()
              .jobId();
      // Lower priority behind three queued jobs of a second each: these wait at least 2 s.
      List<String> queued = List.of("c-4", "c-5");
      for (String id : queued) {
        RenderJob job = RenderJob.builder(id, id).size(256, 256).steps(1).priority(-10).build();
        futures.put(id, client.submit(job));
      }
      statuses.awaitEvents(
          seen -> seen.stream().filter(e -> e.state() == JobState.ACCEPTED).count() == 6, TIMEOUT);
      for (String id : queued) {
        client.cancel(id, "not needed any more").get(10, TimeUnit.SECONDS);
      }
      client.cancel(started, "too late").get(10, TimeUnit.SECONDS);
      client.cancel("never-sent", null).get(10, TimeUnit.SECONDS);
      ProducerRecord<byte[], byte[]> unreadable =
          new ProducerRecord<>(
              E2EStack.jobsTopic(name),
              "c-1".getBytes(StandardCharsets.UTF_8),
              "{not a cancel".getBytes(StandardCharsets.UTF_8));
      unreadable.headers().add(CancelRequest.HEADER, "cancel".getBytes(StandardCharsets.UTF_8));
      stack.sendRecord(unreadable);

      for (Map.Entry<String, CompletableFuture<JobResult>> f : futures.entrySet()) {
        results.put(f.getKey(), f.getValue().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      }
      String finished = "c-" + (started.equals("c-0") ? 1 : 0);
      client.cancel(finished, "after the fact").get(10, TimeUnit.SECONDS);
      List<ConsumerRecord<byte[], byte[]>> deadLetters = dlt.awaitRecords(1, TIMEOUT);
      events = statuses.pollFor(Duration.ofSeconds(2));
      assertThat(worker.failure()).isNull();
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);

      FaultEvidence.print(name, events);
      System.out.println("cancelled while queued: " + queued + "; started first: " + started);
      for (String id : queued) {
        assertThat(results.get(id).state()).as(id).isEqualTo(JobState.CANCELLED);
        assertThat(results.get(id).errorCode()).isEqualTo(ErrorCodes.CANCELLED);
        assertThat(FaultEvidence.byJob(events).get(id))
            .extracting(StatusEvent::state)
            .containsExactly(JobState.ACCEPTED, JobState.CANCELLED);
      }
      List<String> rendered = new ArrayList<>(futures.keySet());
      rendered.removeAll(queued);
      FaultEvidence.assertAllSucceeded(events, rendered);
      assertThat(renderer.batches()).flatExtracting(b -> b).doesNotContainAnyElementsOf(queued);
      assertThat(FaultEvidence.byJob(events)).doesNotContainKey("never-sent");
      assertThat(FaultEvidence.byJob(events).get(finished))
          .extracting(StatusEvent::state)
          .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
      assertThat(deadLetters).hasSize(1);
      assertThat(header(deadLetters.get(0), DeadLetterPublisher.ERROR_CODE))
          .isEqualTo(ErrorCodes.INVALID_JSON);
    }
    for (E2EStack.Position position :
        stack.committedVsEnd(name + "-workers", E2EStack.jobsTopic(name)).values()) {
      if (position.end() > 0) {
        assertThat(position.committed()).isEqualTo(position.end());
      }
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
