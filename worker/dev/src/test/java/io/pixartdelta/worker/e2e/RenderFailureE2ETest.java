package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptionsLoader;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.metrics.WorkerMetrics;
import io.pixartdelta.worker.render.FakeRenderer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault suite (issue 11): native failures inside a batch, injected through the test renderer
 * ({@code #crash} throws DJL's EngineException every time, {@code #flaky} only the first time). The
 * batch is split and retried, the job that fails alone twice ends FAILED with {@code
 * render-failed}, its batch mates succeed, and the worker keeps serving.
 */
class RenderFailureE2ETest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void aNativeFailureSplitsTheBatchAndOnlyTheCulpritFails() throws Exception {
    String name = "native";
    Map<String, String> values = new HashMap<>(stack.optionValues(name, "native-1"));
    values.put("worker.max-wait", "2s"); // the first four jobs form one batch
    FakeRenderer renderer = new FakeRenderer();
    MeterRegistry registry = new SimpleMeterRegistry();
    List<String> first = List.of("native-ok-1", "native-crash", "native-flaky", "native-ok-2");
    List<String> later = List.of("native-ok-3", "native-ok-4", "native-ok-5");
    List<StatusEvent> events;
    try (StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Worker worker =
            Worker.start(
                WorkerOptionsLoader.load(null, Map.of(), values),
                renderer,
                Clock.systemUTC(),
                registry)) {
      for (String id : first) {
        String prompt = id.endsWith("crash") ? "#crash" : id.endsWith("flaky") ? "#flaky" : id;
        stack.send(name, RenderJob.builder(id, prompt).size(256, 256).steps(1).build());
      }
      statuses.awaitTerminal(first, TIMEOUT);
      for (String id : later) {
        stack.send(name, RenderJob.builder(id, id).size(256, 256).steps(1).build());
      }
      statuses.awaitTerminal(later, TIMEOUT);
      events = statuses.pollFor(Duration.ofMillis(300));
      assertThat(worker.failure()).isNull();
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
    }

    FaultEvidence.print(name, events);
    System.out.println("renderer calls: " + renderer.batches());
    StatusEvent crash =
        events.stream()
            .filter(e -> e.jobId().equals("native-crash") && e.state().isTerminal())
            .findFirst()
            .orElseThrow();
    assertThat(crash.state()).isEqualTo(JobState.FAILED);
    assertThat(crash.error().code()).isEqualTo(ErrorCodes.RENDER_FAILED);
    assertThat(crash.error().retryable()).isFalse();
    assertThat(crash.error().message()).contains("failed alone 2 times");
    List<String> survivors =
        List.of(
            "native-ok-1",
            "native-flaky",
            "native-ok-2",
            "native-ok-3",
            "native-ok-4",
            "native-ok-5");
    FaultEvidence.assertAllSucceeded(events, survivors);

    List<List<String>> withCrash =
        renderer.batches().stream().filter(b -> b.contains("native-crash")).toList();
    assertThat(withCrash.get(0)).containsExactlyInAnyOrderElementsOf(first);
    assertThat(withCrash.subList(withCrash.size() - 2, withCrash.size()))
        .containsOnly(List.of("native-crash"));
    assertThat(withCrash.stream().filter(b -> b.size() == 1)).hasSize(2);
    double thrown = registry.get(WorkerMetrics.BATCH_RENDER).tag("result", "error").timer().count();
    System.out.println("renderer calls that threw: " + (long) thrown);
    assertThat(thrown).isGreaterThanOrEqualTo(4);
  }
}
