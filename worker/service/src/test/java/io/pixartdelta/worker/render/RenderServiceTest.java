package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.OutputSpec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.storage.BucketAllowList;
import io.pixartdelta.worker.storage.S3Uri;
import io.pixartdelta.worker.storage.StorageException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The render service with in-memory stand-ins for S3 and the status topic. */
class RenderServiceTest {
  private final FakeRenderer renderer = new FakeRenderer();
  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final RecordingStatusSink sink = new RecordingStatusSink();
  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  private final Set<String> done = ConcurrentHashMap.newKeySet();
  private final AtomicInteger doneCalls = new AtomicInteger();
  private RenderService service;

  private RenderService start(int maxBatch, Duration maxWait) {
    return start(maxBatch, maxWait, Duration.ZERO);
  }

  private RenderService start(int maxBatch, Duration maxWait, Duration outageWait) {
    service =
        new RenderService(
            renderer,
            store,
            sink,
            new RenderSettings(
                "test-worker",
                new BatchPolicy(maxBatch, maxWait),
                2,
                1 << 20,
                1 << 20,
                3 << 20,
                "renders",
                "img",
                new BucketAllowList(Set.of("renders", "other")),
                1,
                outageWait),
            Clock.systemUTC(),
            fatal::add);
    return service;
  }

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  private void submit(RenderJob job) {
    service.submit(
        new IncomingJob(
            job,
            1,
            Instant.now(),
            "p0",
            () -> {
              doneCalls.incrementAndGet();
              done.add(job.jobId());
            }));
  }

  private static RenderJob job(String id, int width, int height) {
    return RenderJob.builder(id, "a test prompt " + id).size(width, height).steps(2).build();
  }

  @Test
  void sameShapeJobsShareABatchAndEndWithStoredImages() throws Exception {
    start(3, Duration.ofMillis(300));
    submit(job("a", 256, 256));
    submit(job("wide", 320, 256));
    submit(job("b", 256, 256));
    submit(job("c", 256, 256));

    awaitTrue(() -> done.size() == 4);

    // Jobs are planned concurrently (one S3 look-up each), so a batch's order is not the submit
    // order.
    assertThat(renderer.batches()).hasSize(2).contains(List.of("wide"));
    assertThat(renderer.batches())
        .anySatisfy(batch -> assertThat(batch).containsExactlyInAnyOrder("a", "b", "c"));
    for (String id : List.of("a", "b", "c", "wide")) {
      assertThat(sink.statesOf(id))
          .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
    }
    StatusEvent wide = sink.terminal("wide");
    assertThat(wide.batchSize()).isEqualTo(1);
    assertThat(sink.terminal("a").batchSize()).isEqualTo(3);
    assertThat(sink.terminal("a").batchId()).isEqualTo(sink.terminal("c").batchId());
    ImageResult result = wide.results().get(0);
    assertThat(result.uri()).isEqualTo("s3://renders/img/wide/0.png");
    byte[] stored = store.objects.get(S3Uri.parse(result.uri())).bytes();
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(stored));
    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(image.getHeight()).isEqualTo(256);
    assertThat(result.sha256()).isEqualTo(sha256(stored));
    assertThat(result.bytes()).isEqualTo(stored.length);
    assertThat(wide.timings().denoiseMs()).isEqualTo(2L);
    assertThat(wide.timings().queueWaitMs()).isNotNull();
    assertThat(store.objects.get(S3Uri.parse(result.uri())).metadata())
        .containsEntry("job-id", "wide")
        .containsEntry("model-id", "fake-gradient")
        .containsEntry("seed", Long.toString(result.seed()))
        .containsEntry("steps", "2")
        .containsEntry("worker-id", "test-worker")
        .containsKey("prompt-sha256");
    assertThat(doneCalls.get()).isEqualTo(4);
    assertThat(fatal).isEmpty();
  }

  @Test
  void everyImageOfAJobIsStoredUnderItsIndexWithItsOwnSeed() throws Exception {
    start(4, Duration.ofMillis(10));
    submit(RenderJob.builder("multi", "x").size(256, 256).seed(41L).numImages(3).build());

    awaitTrue(() -> done.contains("multi"));

    List<ImageResult> results = sink.terminal("multi").results();
    assertThat(results).extracting(ImageResult::index).containsExactly(0, 1, 2);
    assertThat(results).extracting(ImageResult::seed).containsExactly(41L, 42L, 43L);
    assertThat(results)
        .extracting(ImageResult::uri)
        .containsExactly(
            "s3://renders/img/multi/0.png",
            "s3://renders/img/multi/1.png",
            "s3://renders/img/multi/2.png");
  }

  @Test
  void jpegOutputUsesTheJpegKeyAndContentType() throws Exception {
    start(4, Duration.ofMillis(10));
    submit(
        RenderJob.builder("photo", "x")
            .size(256, 256)
            .output(OutputSpec.jpeg("other", "jpegs", 80))
            .build());

    awaitTrue(() -> done.contains("photo"));

    ImageResult result = sink.terminal("photo").results().get(0);
    assertThat(result.uri()).isEqualTo("s3://other/jpegs/photo/0.jpg");
    assertThat(result.contentType()).isEqualTo("image/jpeg");
    byte[] stored = store.objects.get(S3Uri.parse(result.uri())).bytes();
    assertThat(ImageIO.read(new ByteArrayInputStream(stored)).getWidth()).isEqualTo(256);
  }

  @Test
  void aFailingItemFailsAloneAndAThrowingBatchIsSplitUntilTheCulpritIsAlone() throws Exception {
    start(3, Duration.ofMillis(300));
    submit(RenderJob.builder("ok-1", "fine").size(256, 256).build());
    submit(RenderJob.builder("bad", "please #fail").size(256, 256).build());
    submit(RenderJob.builder("ok-2", "fine").size(256, 256).build());
    awaitTrue(() -> done.size() == 3);
    assertThat(sink.terminal("bad").error().code()).isEqualTo(ErrorCodes.RENDER_FAILED);
    assertThat(sink.terminal("ok-1").state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(sink.terminal("ok-2").state()).isEqualTo(JobState.SUCCEEDED);

    submit(RenderJob.builder("ok-3", "fine").size(256, 256).build());
    submit(RenderJob.builder("oom", "#throw").size(256, 256).build());
    submit(RenderJob.builder("ok-4", "fine").size(256, 256).build());
    awaitTrue(() -> done.size() == 6);

    assertThat(sink.terminal("oom").error().code()).isEqualTo(ErrorCodes.RENDER_FAILED);
    assertThat(sink.terminal("ok-3").state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(sink.terminal("ok-4").state()).isEqualTo(JobState.SUCCEEDED);
    // The throwing batch of three is split in halves until the culprit is alone.
    List<List<String>> withOom =
        renderer.batches().stream().filter(b -> b.contains("oom")).toList();
    assertThat(withOom.get(0)).containsExactlyInAnyOrder("ok-3", "oom", "ok-4");
    assertThat(withOom.get(withOom.size() - 1)).containsExactly("oom");
    assertThat(withOom).hasSizeBetween(2, 3);
  }

  @Test
  void aNativeFailureSplitsTheBatchAndAJobThatFailsAloneTwiceFails() throws Exception {
    start(4, Duration.ofMillis(300));
    submit(RenderJob.builder("n-1", "fine").size(256, 256).build());
    submit(RenderJob.builder("crash", "#crash").size(256, 256).build());
    submit(RenderJob.builder("flaky", "#flaky").size(256, 256).build());
    submit(RenderJob.builder("n-2", "fine").size(256, 256).build());
    awaitTrue(() -> done.size() == 4);

    StatusEvent crash = sink.terminal("crash");
    assertThat(crash.state()).isEqualTo(JobState.FAILED);
    assertThat(crash.error().code()).isEqualTo(ErrorCodes.RENDER_FAILED);
    assertThat(crash.error().retryable()).isFalse();
    assertThat(crash.error().message()).contains("failed alone 2 times", "simulated native");
    for (String id : List.of("n-1", "flaky", "n-2")) {
      assertThat(sink.terminal(id).state()).as(id).isEqualTo(JobState.SUCCEEDED);
    }
    // Planning runs on two threads, so the order inside a batch varies; the crashing job is in
    // the batch of four, then in its half, then alone twice.
    List<List<String>> batches = renderer.batches();
    assertThat(batches.get(0)).containsExactlyInAnyOrder("n-1", "crash", "flaky", "n-2");
    assertThat(batches.stream().filter(b -> b.contains("crash")).map(List::size))
        .containsExactly(4, 2, 1, 1);
    assertThat(batches.stream().filter(b -> b.contains("flaky")).count()).isBetween(2L, 4L);
    assertThat(batches).hasSizeLessThanOrEqualTo(8);

    submit(RenderJob.builder("after", "fine").size(256, 256).build());
    awaitTrue(() -> done.size() == 5);
    assertThat(sink.terminal("after").state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(fatal).isEmpty();
  }

  @Test
  void aCancelEndsQueuedJobsCancelledAndLeavesFinishedOnesAlone() throws Exception {
    start(3, Duration.ofSeconds(60)); // a batch forms only when three jobs wait
    submit(job("q1", 256, 256));
    submit(job("q2", 256, 256));
    service.cancel("q1", "not needed"); // queued or still being planned: cancelled either way
    awaitTrue(() -> done.contains("q1"));
    StatusEvent cancelled = sink.terminal("q1");
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.error().code()).isEqualTo(ErrorCodes.CANCELLED);
    assertThat(cancelled.error().message()).endsWith("not needed");
    assertThat(sink.statesOf("q1")).containsExactly(JobState.ACCEPTED, JobState.CANCELLED);

    submit(job("q3", 256, 256));
    submit(job("q4", 256, 256));
    awaitTrue(() -> done.size() == 4);
    assertThat(renderer.batches()).hasSize(1);
    assertThat(renderer.batches().get(0)).containsExactlyInAnyOrder("q2", "q3", "q4");
    assertThat(sink.terminal("q2").state()).isEqualTo(JobState.SUCCEEDED);

    assertThat(service.cancel("q2", "too late")).isZero();
    assertThat(service.cancel("never-sent", null)).isZero();
    awaitRenderLoopPasses();
    assertThat(sink.statesOf("q2"))
        .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
    assertThat(doneCalls.get()).isEqualTo(6); // q1 to q4 and the two ticks
    assertThat(service.pending()).isZero();
    assertThat(fatal).isEmpty();
  }

  @Test
  void controlJobsFailAsUnsupportedAndForeignBucketsAsNotAllowedWithoutRendering()
      throws Exception {
    start(4, Duration.ofMillis(10));
    submit(
        RenderJob.builder("ctl", "x")
            .control(ControlSpec.inlinePng(tinyPng(), ControlType.HED, 1.0))
            .build());
    submit(RenderJob.builder("foreign", "x").output(OutputSpec.png("elsewhere", null)).build());

    awaitTrue(() -> done.size() == 2);

    assertThat(sink.statesOf("ctl")).containsExactly(JobState.FAILED);
    assertThat(sink.terminal("ctl").error().code()).isEqualTo(ErrorCodes.UNSUPPORTED_FEATURE);
    assertThat(sink.terminal("foreign").error().code()).isEqualTo(ErrorCodes.OUTPUT_NOT_ALLOWED);
    assertThat(renderer.batches()).isEmpty();
    assertThat(store.puts.get()).isZero();
  }

  @Test
  void jobsPastTheirDeadlineExpireWithoutRendering() throws Exception {
    start(8, Duration.ofSeconds(30));
    submit(RenderJob.builder("late", "x").deadline(Instant.now().minusSeconds(1)).build());
    submit(
        RenderJob.builder("expires-in-queue", "x").deadline(Instant.now().plusMillis(200)).build());

    awaitTrue(() -> done.size() == 2);

    assertThat(sink.statesOf("late")).containsExactly(JobState.EXPIRED);
    assertThat(sink.statesOf("expires-in-queue"))
        .containsExactly(JobState.ACCEPTED, JobState.EXPIRED);
    assertThat(sink.terminal("expires-in-queue").error().code())
        .isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
    assertThat(renderer.batches()).isEmpty();
  }

  @Test
  void aJobIsDoneOnlyWhenItsTerminalStatusIsAcknowledged() throws Exception {
    start(1, Duration.ofMillis(10));
    sink.hold = true;
    submit(job("held", 256, 256));

    awaitTrue(() -> sink.terminal("held") != null);
    sink.hold = false; // a later job's terminal event is acknowledged at once
    submit(job("later", 256, 256));
    awaitTrue(() -> done.contains("later"));
    assertThat(done).containsExactly("later");
    assertThat(service.pending()).isEqualTo(1);

    sink.releaseHeld();
    awaitTrue(() -> done.contains("held"));
    assertThat(service.pending()).isZero();
  }

  @Test
  void aTerminalStatusThatCannotBePublishedIsFatalAndTheJobIsNotDone() throws Exception {
    start(1, Duration.ofMillis(10));
    sink.failWith = new IllegalStateException("broker gone");
    submit(job("lost", 256, 256));

    awaitTrue(() -> !fatal.isEmpty());

    assertThat(fatal.get(0)).isInstanceOf(StatusPublishException.class);
    assertThat(done).isEmpty();
  }

  @Test
  void uploadFailuresFailTheJobWithARetryableUploadError() throws Exception {
    start(1, Duration.ofMillis(10));
    store.failPutsWith = new StorageException(StorageException.Kind.TRANSIENT, "S3 down");
    submit(job("unlucky", 256, 256));

    awaitTrue(() -> done.contains("unlucky"));

    assertThat(sink.terminal("unlucky").error().code()).isEqualTo(ErrorCodes.UPLOAD_FAILED);
    assertThat(sink.terminal("unlucky").error().retryable()).isTrue();
  }

  @Test
  void aRenderedJobWaitsOutAShortS3OutageInsteadOfFailing() throws Exception {
    start(1, Duration.ofMillis(10), Duration.ofMinutes(1));
    store.failPutsWith = new StorageException(StorageException.Kind.TRANSIENT, "S3 down");
    submit(job("patient", 256, 256));
    awaitTrue(() -> store.puts.get() >= 2);
    assertThat(sink.terminal("patient")).isNull();
    assertThat(service.pending()).isEqualTo(1);

    store.failPutsWith = null;

    awaitTrue(() -> done.contains("patient"));
    assertThat(sink.terminal("patient").state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aPermanentStoreErrorFailsAtOnceEvenWithAnOutageWait() throws Exception {
    start(1, Duration.ofMillis(10), Duration.ofMinutes(1));
    store.failPutsWith = new StorageException(StorageException.Kind.PERMANENT, "access denied");
    submit(job("denied", 256, 256));

    awaitTrue(() -> done.contains("denied"));

    assertThat(sink.terminal("denied").error().code()).isEqualTo(ErrorCodes.UPLOAD_FAILED);
    assertThat(sink.terminal("denied").error().retryable()).isFalse();
    assertThat(store.puts.get()).isEqualTo(1);
  }

  @Test
  void aRedeliveredJobWithoutSeedReportsTheStoredImageWithoutRendering() throws Exception {
    start(1, Duration.ofMillis(10));
    RenderJob job = RenderJob.builder("again", "x").size(256, 256).build();
    submit(job);
    awaitTrue(() -> doneCalls.get() == 1);
    ImageResult first = sink.terminal("again").results().get(0);

    submit(job);
    awaitTrue(() -> doneCalls.get() == 2);

    List<StatusEvent> terminals =
        sink.eventsOf("again").stream().filter(e -> e.state().isTerminal()).toList();
    assertThat(terminals).hasSize(2);
    assertThat(terminals.get(1).results().get(0)).isEqualTo(first);
    assertThat(store.objects).hasSize(1);
    assertThat(renderer.items()).hasSize(1);
  }

  @Test
  void drainClosesBatchesWithoutWaitingForMaxWait() throws Exception {
    start(8, Duration.ofHours(1));
    submit(job("x", 256, 256));
    submit(job("y", 256, 256));
    awaitTrue(() -> queued() == 2);
    awaitRenderLoopPasses();
    assertThat(renderer.batches()).isEmpty();

    service.startDrain();

    assertThat(service.awaitIdle(Duration.ofSeconds(10))).isTrue();
    assertThat(done).containsExactlyInAnyOrder("x", "y", "tick-1", "tick-2");
  }

  @Test
  void abandonedJobsAreDroppedFromTheQueueAndNeverFinish() throws Exception {
    start(8, Duration.ofHours(1));
    submit(job("dropped", 256, 256));
    awaitTrue(() -> queued() == 1);

    service.abandon("p0"::equals);

    assertThat(service.pending()).isZero();
    service.startDrain();
    submit(job("marker", 256, 256)); // renders at once when draining, with anything still queued
    awaitTrue(() -> done.contains("marker"));
    assertThat(done).containsExactly("marker");
    assertThat(renderer.batches()).containsExactly(List.of("marker"));
  }

  /** Jobs waiting for a batch: {@code abandon} asks its filter once per queued job. */
  private int queued() {
    AtomicInteger seen = new AtomicInteger();
    service.abandon(source -> seen.incrementAndGet() < 0); // drops none
    return seen.get();
  }

  /**
   * Returns after the render loop has polled for a batch at least once since the call: each pass
   * first takes the expired jobs, then polls, so a job expiring in a later pass than another proves
   * one poll in between. The two "ticks" end EXPIRED (and count as done).
   */
  private void awaitRenderLoopPasses() throws InterruptedException {
    for (String tick : List.of("tick-1", "tick-2")) {
      submit(RenderJob.builder(tick, "x").deadline(Instant.now().plusMillis(200)).build());
      awaitTrue(() -> done.contains(tick));
      // Queued first, then expired by the loop (not refused on arrival).
      assertThat(sink.statesOf(tick)).containsExactly(JobState.ACCEPTED, JobState.EXPIRED);
    }
  }

  private static byte[] tinyPng() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(FakeRenderer.gradient(8, 8, 0), "png", out);
    return out.toByteArray();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(10);
    }
  }
}
