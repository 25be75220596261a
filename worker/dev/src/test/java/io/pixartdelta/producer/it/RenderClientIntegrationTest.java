package io.pixartdelta.producer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.producer.InfrastructureException;
import io.pixartdelta.producer.JobResult;
import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.producer.RenderFailedException;
import io.pixartdelta.producer.SubmitOptions;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.OutputSpec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RenderClient} against a real KRaft broker and S3Proxy, with a stand-in worker that
 * publishes duplicated, out-of-order and foreign status events.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(EmbeddedStackExtension.class)
class RenderClientIntegrationTest {
  private static EmbeddedStack stack;
  private static RenderClient client;

  @TempDir Path dir;

  @BeforeAll
  static void start(EmbeddedStack embedded) {
    stack = embedded;
    client = newClient(Duration.ZERO);
    client.ready().join();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
  }

  private static RenderClient newClient(Duration lookBack) {
    return RenderClient.builder(stack.kafka.bootstrapServers())
        .jobsTopic(EmbeddedStack.JOBS)
        .statusTopic(EmbeddedStack.STATUS)
        .statusLookBack(lookBack)
        .defaultTimeout(Duration.ofSeconds(60))
        .s3(stack.s3Settings())
        .build();
  }

  /**
   * Sends a marker job to every partition of the jobs topic and waits for their results: the
   * stand-in worker reads each partition in order, so by then it has read every job sent before.
   */
  private static void awaitEverythingSentSoFar(String test) throws Exception {
    Set<Integer> partitions = new HashSet<>();
    List<CompletableFuture<JobResult>> markers = new ArrayList<>();
    for (int i = 0; partitions.size() < EmbeddedStack.PARTITIONS; i++) {
      String id = "marker-" + test + "-" + i;
      if (partitions.add(partitionOf(id))) {
        markers.add(client.submit(job(id, "marker", 256, 256)));
      }
    }
    for (CompletableFuture<JobResult> marker : markers) {
      assertThat(marker.get(60, TimeUnit.SECONDS).succeeded()).isTrue();
    }
  }

  /** The partition the producer's default partitioner picks for a record keyed by the job id. */
  private static int partitionOf(String jobId) {
    byte[] key = jobId.getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(key)) % EmbeddedStack.PARTITIONS;
  }

  private static RenderJob job(String id, String prompt, int w, int h) {
    return RenderJob.builder(id, prompt)
        .size(w, h)
        .steps(2)
        .output(OutputSpec.png(EmbeddedStack.BUCKET, "it"))
        .build();
  }

  @Test
  void submitAllCompletesEveryJobWithItsResults() throws Exception {
    int[][] sizes = {{256, 256}, {512, 256}, {256, 512}};
    List<RenderJob> jobs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      int[] s = sizes[i % sizes.length];
      jobs.add(job("many-" + i, "picture " + i, s[0], s[1]).withNumImages(1 + i % 2));
    }
    Map<String, List<JobState>> progress = new ConcurrentHashMap<>();
    SubmitOptions options =
        SubmitOptions.defaults()
            .withListener(
                e ->
                    progress
                        .computeIfAbsent(e.jobId(), k -> new CopyOnWriteArrayList<>())
                        .add(e.state()));

    List<CompletableFuture<JobResult>> futures = client.submitAll(jobs, options);

    for (int i = 0; i < jobs.size(); i++) {
      RenderJob job = jobs.get(i);
      JobResult result = futures.get(i).get(60, TimeUnit.SECONDS).orThrow();
      assertThat(result.jobId()).isEqualTo(job.jobId());
      assertThat(result.results()).hasSize(job.numImages());
      for (ImageResult image : result.results()) {
        assertThat(image.uri())
            .startsWith("s3://" + EmbeddedStack.BUCKET + "/it/" + job.jobId() + "/");
        assertThat(image.width()).isEqualTo(job.width());
        assertThat(image.height()).isEqualTo(job.height());
      }
      assertThat(progress.get(job.jobId()))
          .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
      assertThat(stack.worker.timesReceived(job.jobId())).isEqualTo(1);
    }
    assertThat(client.pendingJobs()).isZero();

    // Download helper: file named {jobId}-{index}.png, bytes verified against the event.
    JobResult two = futures.get(1).get();
    List<Path> files = client.download(two, dir);
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("many-1-0.png", "many-1-1.png");
    assertThat(StandInWorker.sha256(Files.readAllBytes(files.get(0))))
        .isEqualTo(two.results().get(0).sha256());
  }

  @Test
  void duplicatedAndOutOfOrderEventsAreHandled() throws Exception {
    List<StatusEvent> dupSeen = new CopyOnWriteArrayList<>();
    List<StatusEvent> oooSeen = new CopyOnWriteArrayList<>();
    List<StatusEvent> retrySeen = new CopyOnWriteArrayList<>();
    var dup =
        client.submit(
            job("dup-1", "dup please", 256, 256),
            SubmitOptions.defaults().withListener(dupSeen::add));
    var ooo =
        client.submit(
            job("ooo-1", "ooo please", 256, 256),
            SubmitOptions.defaults().withListener(oooSeen::add));
    var retry =
        client.submit(
            job("retry-1", "retry please", 256, 256),
            SubmitOptions.defaults().withListener(retrySeen::add));

    assertThat(dup.get(60, TimeUnit.SECONDS).succeeded()).isTrue();
    assertThat(ooo.get(60, TimeUnit.SECONDS).succeeded()).isTrue();
    assertThat(retry.get(60, TimeUnit.SECONDS).succeeded()).isTrue();
    assertThat(dupSeen)
        .extracting(StatusEvent::state)
        .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
    // Reverse order: the terminal event comes first and ends the job; stale ones are dropped.
    assertThat(oooSeen).extracting(StatusEvent::state).containsExactly(JobState.SUCCEEDED);
    assertThat(retrySeen)
        .extracting(e -> e.state() + "#" + e.attempt())
        .containsExactly("ACCEPTED#1", "STARTED#1", "ACCEPTED#2", "STARTED#2", "SUCCEEDED#2");
    assertThat(retry.get().terminal().attempt()).isEqualTo(2);
  }

  @Test
  void failedAndExpiredJobsCompleteWithTheirCode() throws Exception {
    JobResult failed =
        client.submit(job("fail-1", "fail please", 256, 256)).get(60, TimeUnit.SECONDS);
    JobResult expired =
        client.submit(job("expire-1", "expire please", 256, 256)).get(60, TimeUnit.SECONDS);

    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.errorCode()).isEqualTo(ErrorCodes.RENDER_FAILED);
    assertThatThrownBy(failed::orThrow)
        .isInstanceOfSatisfying(
            RenderFailedException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCodes.RENDER_FAILED));
    assertThat(expired.state()).isEqualTo(JobState.EXPIRED);
    assertThat(expired.errorCode()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
  }

  @Test
  void perCallTimeoutFailsTheFuture() {
    long start = System.nanoTime();
    var silent =
        client.submit(
            job("silent-1", "silent please", 256, 256),
            SubmitOptions.defaults().withTimeout(Duration.ofSeconds(1)));
    assertThatThrownBy(() -> silent.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            JobTimeoutException.class, e -> assertThat(e.jobId()).isEqualTo("silent-1"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void resubmittingAnIdNeverRendersItTwice() throws Exception {
    RenderJob job = job("idem-1", "idempotent", 256, 256);
    var first = client.submit(job);
    var second = client.submit(job);
    assertThat(second).isSameAs(first);
    JobResult result = first.get(60, TimeUnit.SECONDS);

    var third = client.submit(job);
    assertThat(third).isCompleted();
    assertThat(third.get().terminal()).isEqualTo(result.terminal());
    assertThat(client.send(job).get(10, TimeUnit.SECONDS)).isFalse();
    awaitEverythingSentSoFar("idem");
    assertThat(stack.worker.timesReceived("idem-1")).isEqualTo(1);
  }

  @Test
  void restartedClientFindsEarlierJobsWithinTheLookBack() throws Exception {
    RenderJob done = job("restart-done", "finish me", 256, 256);
    RenderJob stuck = job("restart-stuck", "silent forever", 256, 256);
    try (RenderClient before = newClient(Duration.ZERO)) {
      before.submit(done).get(60, TimeUnit.SECONDS);
      assertThat(before.send(stuck).get(10, TimeUnit.SECONDS)).isTrue();
    }
    try (RenderClient after = newClient(Duration.ofMinutes(5))) {
      var again = after.submit(done);
      assertThat(again.get(30, TimeUnit.SECONDS).succeeded()).isTrue();
      var waiting =
          after.submit(stuck, SubmitOptions.defaults().withTimeout(Duration.ofSeconds(2)));
      assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(JobTimeoutException.class);
    }
    awaitEverythingSentSoFar("restart");
    assertThat(stack.worker.timesReceived("restart-done")).isEqualTo(1);
    assertThat(stack.worker.timesReceived("restart-stuck")).isEqualTo(1);
  }

  @Test
  void controlImagesAreUploadedOnceAndUsable() throws Exception {
    Path png = dir.resolve("edges.png");
    Files.write(png, StandInWorker.png(64, 64, 3));
    ControlSpec spec = client.uploadControlImage(png, ControlType.EDGES, 0.8);
    ControlSpec again = client.uploadControlImage(png, ControlType.EDGES, 0.8);

    assertThat(spec.image())
        .isEqualTo(
            "s3://"
                + EmbeddedStack.BUCKET
                + "/controls/"
                + StandInWorker.sha256(Files.readAllBytes(png))
                + ".png");
    assertThat(again).isEqualTo(spec);
    byte[] stored =
        stack
            .s3Client
            .getObjectAsBytes(
                b ->
                    b.bucket(EmbeddedStack.BUCKET)
                        .key(
                            spec.image()
                                .substring(("s3://" + EmbeddedStack.BUCKET + "/").length())))
            .asByteArray();
    assertThat(stored).isEqualTo(Files.readAllBytes(png));

    JobResult ok =
        client
            .submit(job("control-1", "with control", 256, 256).withControl(spec))
            .get(60, TimeUnit.SECONDS);
    assertThat(ok.succeeded()).isTrue();
    JobResult missing =
        client
            .submit(
                job("control-2", "missing control", 256, 256)
                    .withControl(
                        new ControlSpec("s3://renders/controls/nope.png", ControlType.HED, 1.0)))
            .get(60, TimeUnit.SECONDS);
    assertThat(missing.errorCode()).isEqualTo(ErrorCodes.CONTROL_IMAGE_NOT_FOUND);

    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "not an image");
    assertThatThrownBy(() -> client.uploadControlImage(text, ControlType.HED, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PNG or JPEG");
  }

  @Test
  void unreachableBrokerFailsWithInfrastructureException() {
    try (RenderClient offline =
        RenderClient.builder("127.0.0.1:1").connectTimeout(Duration.ofSeconds(2)).build()) {
      var future = offline.submit(RenderJob.of("offline-1", "nowhere"));
      assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(InfrastructureException.class);
      assertThatThrownBy(() -> offline.ready().join()).cause().hasMessageContaining("unreachable");
    }
  }

  @Test
  void closingBeforeTheBrokerAnswersCancelsPendingJobs() {
    CompletableFuture<JobResult> pending;
    long start = System.nanoTime();
    try (RenderClient offline =
        RenderClient.builder("127.0.0.1:1").connectTimeout(Duration.ofSeconds(30)).build()) {
      pending = offline.submit(RenderJob.of("closing-1", "never sent"));
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(pending).isCancelled();
  }

  @Test
  void missingStatusTopicIsAnInfrastructureError() {
    try (RenderClient wrong =
        RenderClient.builder(stack.kafka.bootstrapServers())
            .jobsTopic(EmbeddedStack.JOBS)
            .statusTopic("no.such.topic")
            .connectTimeout(Duration.ofSeconds(2))
            .build()) {
      assertThatThrownBy(() -> wrong.ready().get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(InfrastructureException.class)
          .hasMessageContaining("no.such.topic")
          .hasMessageContaining("does not exist");
    }
  }
}
