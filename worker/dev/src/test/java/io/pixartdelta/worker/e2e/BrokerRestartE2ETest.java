package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.metrics.WorkerMetrics;
import io.pixartdelta.worker.render.FakeRenderer;
import io.pixartdelta.worker.render.Renderer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fault suite (issue 11): the Kafka broker restarts while a worker is in the middle of a stream.
 * The worker must reconnect and finish every job, and no status event may be lost: every event the
 * broker acknowledged to the worker (its {@code pixart.status.publish} meter) is on the status
 * topic, and every job shows ACCEPTED, STARTED and SUCCEEDED.
 */
class BrokerRestartE2ETest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void theWorkerReconnectsAfterABrokerRestartAndLosesNoStatusEvent() throws Exception {
    String name = "restart";
    List<RenderJob> jobs = new ArrayList<>();
    for (int i = 0; i < 28; i++) {
      jobs.add(RenderJob.builder(name + "-" + i, "p " + i).size(256, 256).steps(1).build());
    }
    List<String> ids = jobs.stream().map(RenderJob::jobId).toList();
    MeterRegistry registry = new SimpleMeterRegistry();
    List<StatusEvent> events;
    WorkerOptions options = stack.options(name, "restart-1"); // creates the topics
    try (StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Renderer renderer = new FakeRenderer(false, Duration.ofMillis(300));
        Worker worker = Worker.start(options, renderer, Clock.systemUTC(), registry)) {
      jobs.subList(0, 20).forEach(job -> stack.send(name, job));
      statuses.awaitEvents(
          seen -> FaultEvidence.jobsIn(seen, "restart-1", JobState.SUCCEEDED).size() >= 4, TIMEOUT);
      long down = System.nanoTime();
      stack.kafka.restartBroker(Duration.ofSeconds(5));
      System.out.printf(
          "broker restarted (%.1f s without it); worker state %s, %d jobs pending%n",
          (System.nanoTime() - down) / 1e9, worker.state(), worker.pendingJobs());
      jobs.subList(20, 28).forEach(job -> stack.send(name, job));

      statuses.awaitTerminal(ids, TIMEOUT);
      awaitIdle(worker);
      events = statuses.pollFor(Duration.ofMillis(500));
      assertThat(worker.failure()).isNull();
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
    }

    FaultEvidence.print(name, events);
    FaultEvidence.assertAllSucceeded(events, ids);
    for (String id : ids) {
      assertThat(FaultEvidence.byJob(events).get(id))
          .as(id)
          .extracting(StatusEvent::state)
          .contains(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
    }
    Map<String, Long> acknowledged = new TreeMap<>();
    Map<String, Long> seen = new TreeMap<>();
    for (Timer timer : registry.find(WorkerMetrics.STATUS_PUBLISH).tag("result", "ok").timers()) {
      acknowledged.merge(timer.getId().getTag("state"), timer.count(), Long::sum);
    }
    for (StatusEvent event : events) {
      seen.merge(event.state().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
    }
    System.out.println("status events acknowledged to the worker: " + acknowledged);
    System.out.println("status events on the topic:              " + seen);
    assertThat(registry.find(WorkerMetrics.STATUS_PUBLISH).tag("result", "error").timers())
        .allSatisfy(t -> assertThat(t.count()).isZero());
    assertThat(seen).isEqualTo(acknowledged);
    try (S3Client s3 = stack.s3Client(stack.options(name, "reader"))) {
      FaultEvidence.assertOneObjectPerImage(s3, name, jobs, events);
    }
  }

  /** Every terminal event is acknowledged once nothing is pending. */
  private static void awaitIdle(Worker worker) throws InterruptedException {
    long end = System.nanoTime() + TIMEOUT.toNanos();
    while (worker.pendingJobs() > 0) {
      if (System.nanoTime() > end) {
        throw new AssertionError(worker.pendingJobs() + " jobs still pending");
      }
      Thread.sleep(20);
    }
  }
}
