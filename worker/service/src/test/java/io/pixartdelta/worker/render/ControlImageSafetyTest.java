package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.storage.BucketAllowList;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.ObjectUpload;
import io.pixartdelta.worker.storage.S3Uri;
import io.pixartdelta.worker.storage.StoredObject;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, defect 2: control images are decoded by the model library's {@code SafeImageDecoder}
 * (header checked before any pixel is allocated), decoded images share one memory budget, and a
 * failure of any kind while preparing a job still ends it with a terminal event.
 */
class ControlImageSafetyTest {
  private final RecordingStatusSink sink = new RecordingStatusSink();
  private final Set<String> done = ConcurrentHashMap.newKeySet();
  private RenderService service;

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void aDecompressionBombFailsTooLargeWithoutBeingDecoded() throws Exception {
    FakeRenderer renderer = new FakeRenderer(true);
    start(renderer, new InMemoryObjectStore(), 64L << 20);
    // The bomb: 20000 x 20000 grey pixels (400 MB decoded) in a few hundred KB.
    byte[] bomb = zeroPng(20_000, 20_000);
    assertThat(bomb.length).isLessThan(1 << 20);

    submit(job("bomb", ControlSpec.inlinePng(bomb, ControlType.HED, 1.0)));
    submit(job("fine", ControlSpec.inlinePng(png(300, 260), ControlType.HED, 1.0)));
    awaitTrue(() -> done.size() == 2);

    assertThat(sink.terminal("bomb").state()).isEqualTo(JobState.FAILED);
    assertThat(sink.terminal("bomb").error().code()).isEqualTo(ErrorCodes.CONTROL_IMAGE_TOO_LARGE);
    assertThat(sink.terminal("bomb").error().message()).contains("20000x20000");
    assertThat(sink.terminal("fine").state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(renderer.items()).extracting(RenderItem::jobId).containsExactly("fine");
  }

  @Test
  void anErrorWhilePreparingStillEndsTheJob() throws Exception {
    InMemoryObjectStore images = new InMemoryObjectStore();
    ObjectStore failing =
        new ObjectStore() {
          @Override
          public StoredObject putIfAbsent(ObjectUpload upload) {
            return images.putIfAbsent(upload);
          }

          @Override
          public Optional<StoredObject> find(S3Uri uri) {
            return images.find(uri);
          }

          @Override
          public byte[] read(S3Uri uri, long maxBytes) {
            throw new OutOfMemoryError("simulated: Java heap space");
          }

          @Override
          public void close() {}
        };
    start(new FakeRenderer(true), failing, 64L << 20);

    submit(job("oom", ControlSpec.of("s3://renders/c.png", ControlType.HED)));
    submit(RenderJob.builder("after", "x").size(256, 256).steps(1).build());
    awaitTrue(() -> done.size() == 2);

    assertThat(sink.terminal("oom").state()).isEqualTo(JobState.FAILED);
    assertThat(sink.terminal("oom").error().code()).isEqualTo(ErrorCodes.INTERNAL_ERROR);
    assertThat(sink.terminal("after").state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void decodedControlImagesHeldByQueuedJobsStayWithinOneBudget() throws Exception {
    CountDownLatch firstBatchEntered = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    FakeRenderer fake = new FakeRenderer(true);
    Renderer gated =
        new Renderer() {
          @Override
          public List<RenderOutcome> render(List<RenderItem> items) {
            firstBatchEntered.countDown();
            try {
              releaseFirst.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return fake.render(items);
          }

          @Override
          public String modelId() {
            return "gated";
          }

          @Override
          public boolean supportsControl() {
            return true;
          }
        };
    long oneImage = 300L * 260 * 3;
    start(gated, new InMemoryObjectStore(), 2 * oneImage);
    byte[] png = png(300, 260);
    for (int i = 0; i < 5; i++) {
      submit(job("c" + i, ControlSpec.inlinePng(png, ControlType.HED, 1.0)));
    }

    assertThat(firstBatchEntered.await(10, TimeUnit.SECONDS)).isTrue();
    // The preparing thread has planned the next job and waits for budget to decode its image.
    awaitTrue(() -> waitingForBudget(Thread.getAllStackTraces()) == 1);
    long held = service.controlImageBytesHeld();
    releaseFirst.countDown();
    awaitTrue(() -> done.size() == 5);

    System.out.printf(
        "budget %d bytes; held while the renderer was blocked: %d%n", 2 * oneImage, held);
    assertThat(held).isEqualTo(2 * oneImage);
    for (int i = 0; i < 5; i++) {
      assertThat(sink.terminal("c" + i).state()).isEqualTo(JobState.SUCCEEDED);
    }
    awaitTrue(() -> service.controlImageBytesHeld() == 0);
  }

  @Test
  void theBudgetWaitsForReleasesAndRefusesWhatCanNeverFit() throws Exception {
    ControlImageBudget budget = new ControlImageBudget(100);
    ControlImageBudget.Lease first = budget.reserve(60);
    CountDownLatch granted = new CountDownLatch(1);
    Thread waiter =
        new Thread(
            () -> {
              try {
                budget.reserve(50);
                granted.countDown();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    waiter.start();
    awaitTrue(() -> waitingForBudget(Map.of(waiter, waiter.getStackTrace())) == 1);
    assertThat(granted.getCount()).isEqualTo(1);
    first.release();
    first.release(); // idempotent: frees 60 once
    assertThat(granted.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(budget.used()).isEqualTo(50);
    waiter.join();
    assertThatThrownBy(() -> budget.reserve(101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole budget of 100");
  }

  /** How many of the threads wait inside {@link ControlImageBudget#reserve}. */
  private static long waitingForBudget(Map<Thread, StackTraceElement[]> threads) {
    return threads.entrySet().stream()
        .filter(t -> t.getKey().getState() == Thread.State.WAITING)
        .filter(
            t ->
                Arrays.stream(t.getValue())
                    .anyMatch(
                        frame ->
                            frame.getClassName().equals(ControlImageBudget.class.getName())
                                && frame.getMethodName().equals("reserve")))
        .count();
  }

  private void start(Renderer renderer, ObjectStore store, long controlImageMemory) {
    service =
        new RenderService(
            renderer,
            store,
            sink,
            new RenderSettings(
                "test-worker",
                new BatchPolicy(1, Duration.ofMillis(5)),
                1,
                1 << 20,
                1 << 25,
                controlImageMemory,
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

  private static RenderJob job(String id, ControlSpec control) {
    return RenderJob.builder(id, "edges").size(256, 256).steps(1).control(control).build();
  }

  private void submit(RenderJob job) {
    service.submit(new IncomingJob(job, 1, Instant.now(), "p0", () -> done.add(job.jobId())));
  }

  private static byte[] png(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(FakeRenderer.gradient(width, height, 1), "png", out);
    return out.toByteArray();
  }

  /**
   * A valid 8-bit greyscale PNG of all-zero pixels, deflated row by row (never whole in memory).
   */
  private static byte[] zeroPng(int width, int height) throws IOException {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (DeflaterOutputStream z =
        new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION))) {
      byte[] row = new byte[width + 1]; // filter byte 0, then the pixels
      for (int y = 0; y < height; y++) {
        z.write(row);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream header = new DataOutputStream(ihdr);
    header.writeInt(width);
    header.writeInt(height);
    header.write(new byte[] {8, 0, 0, 0, 0}); // 8 bits, greyscale, deflate, no filter, no interlace
    chunk(png, "IHDR", ihdr.toByteArray());
    chunk(png, "IDAT", idat.toByteArray());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data)
      throws IOException {
    DataOutputStream chunk = new DataOutputStream(out);
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    chunk.writeInt(data.length);
    chunk.write(name);
    chunk.write(data);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    chunk.writeInt((int) crc.getValue());
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(10);
    }
  }
}
