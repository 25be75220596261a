package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.render.FakeRenderer;
import io.pixartdelta.worker.render.Renderer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fault suite (issue 11): the group changes while jobs stream in. A slow worker holds a backlog; a
 * second worker joins (some partitions move to it) and the first is then stopped. Nothing may be
 * lost; the queued jobs of a revoked partition are dropped without being committed, so the new
 * owner receives and renders them.
 */
class RebalanceE2ETest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void aWorkerAddedAndOneStoppedMidStreamLoseNothing() throws Exception {
    String name = "rebalance";
    String group = name + "-workers";
    List<RenderJob> jobs = new ArrayList<>();
    for (int i = 0; i < 36; i++) {
      jobs.add(RenderJob.builder(name + "-" + i, "p " + i).size(256, 256).steps(1).build());
    }
    List<StatusEvent> events;
    WorkerOptions options = stack.options(name, "rb-1"); // creates the topics
    try (StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        // Slow enough that rb-1 still holds a queue when rb-2 has joined, even when a loaded CI
        // machine takes several seconds for the group to rebalance (at 0.8 s per batch rb-1 could
        // finish all 24 jobs first and leave rb-2 nothing to do).
        Renderer slow = new FakeRenderer(false, Duration.ofMillis(2500));
        Renderer fast = new FakeRenderer(false, Duration.ofMillis(50))) {
      Worker first = Worker.start(options, slow);
      Worker second = null;
      boolean firstStopped = false;
      try {
        stack.awaitGroup(group, 1, TIMEOUT);
        jobs.subList(0, 24).forEach(job -> stack.send(name, job));
        // rb-1 renders 4 jobs per 2.5 s: it holds a queue of accepted, uncommitted jobs.
        statuses.awaitEvents(
            seen -> FaultEvidence.jobsIn(seen, "rb-1", JobState.ACCEPTED).size() >= 16, TIMEOUT);

        second = Worker.start(stack.options(name, "rb-2"), fast);
        System.out.println("group after the join: " + stack.awaitGroup(group, 2, TIMEOUT));
        statuses.awaitEvents(
            seen -> FaultEvidence.jobsIn(seen, "rb-2", JobState.SUCCEEDED).size() >= 2, TIMEOUT);
        jobs.subList(24, 30).forEach(job -> stack.send(name, job));

        first.close(); // drains what it still owns, commits, leaves the group
        firstStopped = true;
        assertThat(first.failure()).isNull();
        System.out.println("rb-1 stopped");
        jobs.subList(30, 36).forEach(job -> stack.send(name, job));

        statuses.awaitTerminal(jobs.stream().map(RenderJob::jobId).toList(), TIMEOUT);
        events = statuses.pollFor(Duration.ofMillis(500));
        assertThat(second.failure()).isNull();
      } finally {
        if (!firstStopped) {
          first.close();
        }
        if (second != null) {
          second.close();
        }
      }
    }

    FaultEvidence.print(name, events);
    FaultEvidence.assertAllSucceeded(events, jobs.stream().map(RenderJob::jobId).toList());
    // Dropped on revocation: accepted by rb-1, never started there, delivered again to rb-2.
    Set<String> dropped = new TreeSet<>(FaultEvidence.jobsIn(events, "rb-1", JobState.ACCEPTED));
    dropped.removeAll(FaultEvidence.jobsIn(events, "rb-1", JobState.STARTED));
    dropped.retainAll(FaultEvidence.jobsIn(events, "rb-2", JobState.ACCEPTED));
    System.out.println("queued on rb-1, dropped at revocation, redone by rb-2: " + dropped);
    assertThat(dropped).isNotEmpty();
    assertThat(dropped).doesNotContainAnyElementsOf(finishedBy(events, "rb-1"));
    // A graceful stop finishes what it started.
    assertThat(finishedBy(events, "rb-1"))
        .containsAll(FaultEvidence.jobsIn(events, "rb-1", JobState.STARTED));
    for (E2EStack.Position position :
        stack.committedVsEnd(name + "-workers", E2EStack.jobsTopic(name)).values()) {
      assertThat(position.committed()).isEqualTo(position.end());
    }
    try (S3Client s3 = stack.s3Client(stack.options(name, "reader"))) {
      FaultEvidence.assertOneObjectPerImage(s3, name, jobs, events);
    }
  }

  private static Set<String> finishedBy(List<StatusEvent> events, String workerId) {
    Set<String> finished = new TreeSet<>();
    for (StatusEvent event : events) {
      if (event.workerId().equals(workerId) && event.state().isTerminal()) {
        finished.add(event.jobId());
      }
    }
    return finished;
  }
}
