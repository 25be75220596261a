package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.app.WorkerOptionsLoader;
import io.pixartdelta.worker.render.FakeRenderer;
import io.pixartdelta.worker.render.Renderer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Fault suite (issue 11): a worker process killed with SIGKILL while a second worker of the group
 * keeps running, once in the middle of rendering a batch and once in the middle of uploading a
 * job's images. Nothing may be lost or stored twice: every job ends SUCCEEDED, S3 holds exactly one
 * object per image, and the terminal events the redone work repeats are counted and printed.
 */
class WorkerCrashE2ETest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void aWorkerKilledMidBatchLosesNoJobAndStoresNothingTwice(@TempDir Path dir) throws Exception {
    String name = "kill-batch";
    Map<String, String> values = E2EStack.fastFailover(stack.optionValues(name, "kb-1"));
    values.put("worker.max-batch-size", "2");
    List<RenderJob> jobs = jobs(name, 16, 1, 256);

    try (StatusCollector statuses = collector(name);
        WorkerProcess doomed = WorkerProcess.start(values, 1500, dir.resolve("kb-1.log"));
        Renderer renderer = new FakeRenderer(false, Duration.ofMillis(200));
        Worker survivor = Worker.start(survivorOptions(values, "kb-2", null), renderer)) {
      System.out.println("group: " + stack.awaitGroup(name + "-workers", 2, TIMEOUT));
      jobs.forEach(job -> stack.send(name, job));

      // STARTED is published just before the renderer is called, which takes 1.5 s per batch.
      List<StatusEvent> seen =
          statuses.awaitEvents(events -> !unfinished(events, "kb-1").isEmpty(), TIMEOUT);
      Set<String> killedBatch = unfinished(seen, "kb-1");
      System.out.printf(
          "killing kb-1 while it renders %s (exit code %d)%n", killedBatch, doomed.kill());

      List<StatusEvent> events = awaitAll(statuses, jobs);
      FaultEvidence.print(name, events);
      FaultEvidence.assertAllSucceeded(events, ids(jobs));
      for (String id : killedBatch) {
        assertThat(FaultEvidence.byJob(events).get(id))
            .as(id)
            .filteredOn(e -> e.state().isTerminal())
            .extracting(StatusEvent::workerId)
            .containsOnly("kb-2");
      }
      try (S3Client s3 = stack.s3Client(survivor.options())) {
        FaultEvidence.assertOneObjectPerImage(s3, name, jobs, events);
      }
      assertThat(survivor.failure()).isNull();
    }
  }

  @Test
  void aWorkerKilledMidUploadLosesNoJobAndStoresNothingTwice(@TempDir Path dir) throws Exception {
    String name = "kill-upload";
    List<RenderJob> jobs = jobs(name, 10, 4, 512);
    try (TcpProxy s3Link = TcpProxy.to(stack.s3.endpoint())) {
      Map<String, String> values = E2EStack.fastFailover(stack.optionValues(name, "ku-1"));
      values.put("s3.endpoint", s3Link.endpoint().toString());
      // Slow uploads through the link, so that images of one job are stored one after another.
      s3Link.throttle(48 * 1024);
      try (StatusCollector statuses = collector(name);
          WorkerProcess doomed = WorkerProcess.start(values, 0, dir.resolve("ku-1.log"));
          Renderer renderer = new FakeRenderer();
          Worker survivor =
              Worker.start(
                  survivorOptions(values, "ku-2", stack.s3.endpoint().toString()), renderer);
          S3Client s3 = stack.s3Client(survivor.options())) {
        System.out.println("group: " + stack.awaitGroup(name + "-workers", 2, TIMEOUT));
        jobs.forEach(job -> stack.send(name, job));

        String partial = awaitPartialUpload(statuses, s3, name, "ku-1");
        s3Link.stall(); // the uploads in flight hang; nothing more reaches S3 from ku-1
        Thread.sleep(300);
        int stored = objectsPerJob(s3, name).getOrDefault(partial, 0);
        List<StatusEvent> before = statuses.pollFor(Duration.ofMillis(100));
        assertThat(FaultEvidence.byJob(before).get(partial))
            .as("no terminal event for %s before the kill", partial)
            .noneMatch(e -> e.state().isTerminal());
        System.out.printf(
            "killing ku-1 while it uploads %s (%d of 4 images stored; %d bytes sent; exit code"
                + " %d)%n",
            partial, stored, s3Link.bytesUp(), doomed.kill());
        assertThat(stored).isBetween(1, 3);

        List<StatusEvent> events = awaitAll(statuses, jobs);
        FaultEvidence.print(name, events);
        FaultEvidence.assertAllSucceeded(events, ids(jobs));
        assertThat(FaultEvidence.byJob(events).get(partial))
            .filteredOn(e -> e.state().isTerminal())
            .extracting(StatusEvent::workerId)
            .containsOnly("ku-2");
        FaultEvidence.assertOneObjectPerImage(s3, name, jobs, events);
        assertThat(survivor.failure()).isNull();
      }
    }
  }

  /**
   * Polls until {@code workerId} is uploading a job: it STARTED the job, no terminal event exists
   * and S3 holds some but not all of its images. Returns the job id.
   */
  private static String awaitPartialUpload(
      StatusCollector statuses, S3Client s3, String name, String workerId) {
    long end = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < end) {
      List<StatusEvent> seen = statuses.pollFor(Duration.ofMillis(50));
      Map<String, Integer> stored = objectsPerJob(s3, name);
      for (String id : unfinished(seen, workerId)) {
        int count = stored.getOrDefault(id, 0);
        if (count > 0 && count < 4) {
          return id;
        }
      }
    }
    throw new AssertionError(workerId + " was never caught mid-upload");
  }

  /** Jobs {@code workerId} STARTED that have no terminal event yet (from any worker). */
  private static Set<String> unfinished(List<StatusEvent> events, String workerId) {
    Set<String> open = new TreeSet<>(FaultEvidence.jobsIn(events, workerId, JobState.STARTED));
    Set<String> finished = new HashSet<>();
    for (StatusEvent event : events) {
      if (event.state().isTerminal()) {
        finished.add(event.jobId());
      }
    }
    open.removeAll(finished);
    return open;
  }

  private static Map<String, Integer> objectsPerJob(S3Client s3, String name) {
    Map<String, Integer> counts = new HashMap<>();
    for (S3Object object :
        s3.listObjectsV2Paginator(b -> b.bucket(E2EStack.BUCKET).prefix(name + "/")).contents()) {
      String[] parts = object.key().split("/");
      counts.merge(parts[1], 1, Integer::sum);
    }
    return counts;
  }

  /** Waits for a terminal event of every job, then a little longer for late duplicates. */
  private static List<StatusEvent> awaitAll(StatusCollector statuses, List<RenderJob> jobs) {
    statuses.awaitTerminal(ids(jobs), TIMEOUT);
    return statuses.pollFor(Duration.ofMillis(500));
  }

  private static WorkerOptions survivorOptions(
      Map<String, String> values, String workerId, String s3Endpoint) {
    Map<String, String> copy = new HashMap<>(values);
    copy.put("worker.id", workerId);
    if (s3Endpoint != null) {
      copy.put("s3.endpoint", s3Endpoint);
    }
    return WorkerOptionsLoader.load(null, Map.of(), copy);
  }

  private static StatusCollector collector(String name) {
    return StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
  }

  private static List<RenderJob> jobs(String name, int count, int images, int size) {
    List<RenderJob> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(
          RenderJob.builder(name + "-" + i, "prompt " + i)
              .size(size, size)
              .steps(1)
              .seed((long) i)
              .numImages(images)
              .build());
    }
    return jobs;
  }

  private static List<String> ids(List<RenderJob> jobs) {
    return jobs.stream().map(RenderJob::jobId).toList();
  }
}
