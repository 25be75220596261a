package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.app.WorkerOptionsLoader;
import io.pixartdelta.worker.render.FakeRenderer;
import io.pixartdelta.worker.render.Renderer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fault suite (issue 11): S3 unreachable for 30 s (a TCP relay in front of S3Proxy drops every
 * connection and refuses new ones). No job may fail for that transient reason: rendered jobs wait
 * the outage out, all complete once S3 is back, and the circuit breaker is seen in the worker's
 * metrics to open during the outage and to close after it.
 */
class S3OutageE2ETest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final String STATE_GAUGE = "resilience4j.circuitbreaker.state";
  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void jobsWaitOutA30SecondOutageAndTheBreakerOpensAndCloses() throws Exception {
    String name = "outage";
    List<RenderJob> jobs = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      jobs.add(RenderJob.builder(name + "-" + i, "p " + i).size(256, 256).steps(1).build());
    }
    List<String> ids = jobs.stream().map(RenderJob::jobId).toList();
    MeterRegistry registry = new SimpleMeterRegistry();
    List<String> breakerTimeline = new CopyOnWriteArrayList<>();
    List<StatusEvent> events;
    try (TcpProxy s3Link = TcpProxy.to(stack.s3.endpoint());
        Renderer renderer = new FakeRenderer();
        Worker worker = Worker.start(options(name, s3Link), renderer, Clock.systemUTC(), registry);
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name))) {
      long start = System.nanoTime();
      Thread sampler = sampleBreaker(registry, start, breakerTimeline);
      try {
        jobs.subList(0, 3).forEach(job -> stack.send(name, job));
        statuses.awaitTerminal(ids.subList(0, 3), TIMEOUT);

        s3Link.cut();
        System.out.printf("S3 cut at %.1f s%n", seconds(start));
        jobs.subList(3, 10).forEach(job -> stack.send(name, job));
        List<StatusEvent> during = statuses.pollFor(OUTAGE);
        assertThat(breakerTimeline).as("breaker states during the outage").contains("open");
        assertThat(during)
            .as("nothing ends while S3 is away")
            .noneMatch(e -> e.state().isTerminal() && ids.subList(3, 10).contains(e.jobId()));

        s3Link.restore();
        System.out.printf("S3 back at %.1f s%n", seconds(start));
        jobs.subList(10, 14).forEach(job -> stack.send(name, job));
        statuses.awaitTerminal(ids, TIMEOUT);
        awaitClosed(registry);
        events = statuses.pollFor(Duration.ofMillis(300));
        assertThat(worker.failure()).isNull();
      } finally {
        sampler.interrupt();
        sampler.join();
      }
      System.out.println("breaker states seen in metrics: " + breakerTimeline);
      FaultEvidence.print(name, events);
      assertThat(events).noneMatch(e -> e.state() == JobState.FAILED);
      FaultEvidence.assertAllSucceeded(events, ids);
      assertThat(breakerTimeline).containsSubsequence("closed", "open", "half_open", "closed");
      try (S3Client s3 = stack.s3Client(stack.options(name, "reader"))) {
        FaultEvidence.assertOneObjectPerImage(s3, name, jobs, events);
      }
    }
  }

  /** Worker options with S3 behind the relay and a breaker sized for a handful of jobs. */
  private static WorkerOptions options(String name, TcpProxy s3Link) {
    Map<String, String> values = new HashMap<>(stack.optionValues(name, "outage-1"));
    values.put("s3.endpoint", s3Link.endpoint().toString());
    values.put("s3.call-timeout", "3s");
    values.put("s3.retry-attempts", "2");
    values.put("s3.retry-initial-backoff", "100ms");
    values.put("s3.retry-max-backoff", "500ms");
    values.put("s3.breaker-window", "6");
    values.put("s3.breaker-min-calls", "3");
    values.put("s3.breaker-open-duration", "4s");
    values.put("worker.upload-outage-wait", "3m");
    return WorkerOptionsLoader.load(null, Map.of(), values);
  }

  /** Records each change of the breaker state gauge, as the metrics registry shows it. */
  private static Thread sampleBreaker(MeterRegistry registry, long start, List<String> timeline) {
    Thread thread =
        new Thread(
            () -> {
              String last = null;
              while (!Thread.currentThread().isInterrupted()) {
                String state = breakerState(registry);
                if (state != null && !state.equals(last)) {
                  timeline.add(state);
                  System.out.printf("breaker %s at %.1f s%n", state, seconds(start));
                  last = state;
                }
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "breaker-sampler");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static String breakerState(MeterRegistry registry) {
    for (Gauge gauge : registry.find(STATE_GAUGE).tag("name", "s3").gauges()) {
      if (gauge.value() == 1.0) {
        return gauge.getId().getTag("state");
      }
    }
    return null;
  }

  private static void awaitClosed(MeterRegistry registry) throws InterruptedException {
    long end = System.nanoTime() + TIMEOUT.toNanos();
    while (!"closed".equals(breakerState(registry))) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the breaker stayed " + breakerState(registry));
      }
      Thread.sleep(50);
    }
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
