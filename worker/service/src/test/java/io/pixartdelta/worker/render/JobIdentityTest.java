package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.storage.BucketAllowList;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.ObjectUpload;
import io.pixartdelta.worker.storage.S3Uri;
import io.pixartdelta.worker.storage.StorageException;
import io.pixartdelta.worker.storage.StoredObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, defect 5: a jobId names one request. The same request delivered again completes from
 * the stored images before rendering; a different request under the same jobId fails with {@code
 * job-id-conflict}, naming the fields that differ.
 */
class JobIdentityTest {
  private final FakeRenderer renderer = new FakeRenderer();
  private final InMemoryObjectStore objects = new InMemoryObjectStore();
  private final RecordingStatusSink sink = new RecordingStatusSink();
  private final AtomicInteger doneCalls = new AtomicInteger();
  private volatile boolean lookupsFail;
  private RenderService service;

  /** The in-memory store whose lookups can be made to fail transiently. */
  private final ObjectStore store =
      new ObjectStore() {
        @Override
        public StoredObject putIfAbsent(ObjectUpload upload) {
          return objects.putIfAbsent(upload);
        }

        @Override
        public Optional<StoredObject> find(S3Uri uri) {
          if (lookupsFail) {
            throw new StorageException(StorageException.Kind.TRANSIENT, "simulated outage");
          }
          return objects.find(uri);
        }

        @Override
        public byte[] read(S3Uri uri, long maxBytes) {
          return objects.read(uri, maxBytes);
        }

        @Override
        public void close() {}
      };

  @AfterEach
  void stop() {
    service.close();
  }

  @Test
  void theSameRequestAgainCompletesFromTheStoredImagesWithoutRendering() throws Exception {
    start();
    RenderJob job = RenderJob.builder("same", "a fox").size(320, 256).numImages(2).build();
    List<ImageResult> first = runToEnd(job, 1).results();

    StatusEvent again = runToEnd(job, 2);

    assertThat(again.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(again.results()).isEqualTo(first);
    assertThat(again.batchId()).isNull();
    assertThat(renderer.items()).hasSize(1);
    assertThat(sink.statesOf("same"))
        .containsExactly(
            JobState.ACCEPTED,
            JobState.STARTED,
            JobState.SUCCEEDED,
            JobState.ACCEPTED,
            JobState.SUCCEEDED);
  }

  @Test
  void aDifferentRequestUnderTheSameJobIdFailsNamingTheFields() throws Exception {
    start();
    runToEnd(RenderJob.builder("reused", "a fox").size(320, 256).seed(1L).build(), 1);
    ImageResult stored = sink.terminal("reused").results().get(0);

    StatusEvent conflict =
        runToEnd(RenderJob.builder("reused", "a cat").size(256, 256).seed(2L).build(), 2);

    assertThat(conflict.state()).isEqualTo(JobState.FAILED);
    assertThat(conflict.error().code()).isEqualTo(ErrorCodes.JOB_ID_CONFLICT);
    assertThat(conflict.error().retryable()).isFalse();
    assertThat(conflict.error().message())
        .contains("fields that differ: prompt, seed, size")
        .contains(stored.uri());
    assertThat(renderer.items()).hasSize(1); // refused before rendering
  }

  @Test
  void whenTheLookupFailsTheUploadStillRefusesADifferentRequestAndReportsStoredSizes()
      throws Exception {
    start();
    runToEnd(RenderJob.builder("raced", "a fox").size(320, 256).seed(1L).build(), 1);
    lookupsFail = true; // no shortcut: the job renders and meets the stored object on upload

    StatusEvent conflict =
        runToEnd(RenderJob.builder("raced", "a fox").size(320, 256).seed(9L).build(), 2);
    StatusEvent same =
        runToEnd(RenderJob.builder("raced", "a fox").size(320, 256).seed(1L).build(), 3);

    assertThat(conflict.error().code()).isEqualTo(ErrorCodes.JOB_ID_CONFLICT);
    assertThat(conflict.error().message()).endsWith("fields that differ: seed");
    assertThat(same.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(same.results().get(0).width()).isEqualTo(320);
    assertThat(renderer.items()).hasSize(3);
    assertThat(objects.objects).hasSize(1);
  }

  private void start() {
    service =
        new RenderService(
            renderer,
            store,
            sink,
            new RenderSettings(
                "test-worker",
                new BatchPolicy(1, Duration.ofMillis(5)),
                2,
                1 << 20,
                1 << 20,
                3 << 20,
                "renders",
                "img",
                new BucketAllowList(Set.of("renders")),
                1,
                Duration.ZERO),
            Clock.systemUTC(),
            e -> {
              throw new AssertionError(e);
            });
  }

  /** Submits {@code job} and waits for its {@code nth} terminal event of the test. */
  private StatusEvent runToEnd(RenderJob job, int nth) throws InterruptedException {
    service.submit(new IncomingJob(job, 1, Instant.now(), "p0", doneCalls::incrementAndGet));
    awaitTrue(() -> doneCalls.get() == nth);
    List<StatusEvent> terminals =
        sink.eventsOf(job.jobId()).stream().filter(e -> e.state().isTerminal()).toList();
    return terminals.get(terminals.size() - 1);
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
