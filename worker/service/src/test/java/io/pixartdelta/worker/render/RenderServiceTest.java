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
  void aFailingItemFailsAloneAndAThrowingBatchIsRetriedItemByItem() throws Exception {
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
    // Jobs are planned concurrently: a batch's members come in any order.
    assertThat(renderer.batches().stream().map(Set::copyOf).toList())
        .contains(Set.of("ok-3", "oom", "ok-4"), Set.of("ok-3"), Set.of("oom"), Set.of("ok-4"));
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
    Thread.sleep(100);
    assertThat(done).isEmpty();
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
    Thread.sleep(50);
    assertThat(done).isEmpty();

    service.startDrain();

    assertThat(service.awaitIdle(Duration.ofSeconds(10))).isTrue();
    assertThat(done).containsExactlyInAnyOrder("x", "y");
  }

  @Test
  void abandonedJobsAreDroppedFromTheQueueAndNeverFinish() throws Exception {
    start(8, Duration.ofHours(1));
    submit(job("dropped", 256, 256));
    Thread.sleep(50);

    service.abandon("p0"::equals);

    assertThat(service.pending()).isZero();
    service.startDrain();
    Thread.sleep(100);
    assertThat(done).isEmpty();
    assertThat(renderer.batches()).isEmpty();
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
