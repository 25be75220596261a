package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.storage.BucketAllowList;
import io.pixartdelta.worker.storage.ObjectUpload;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Control images, for a renderer that supports ControlNet: loading, defaults and errors. */
class ControlInputTest {
  private static final int MAX_BYTES = 4096;

  private final FakeRenderer renderer = new FakeRenderer(true);
  private final InMemoryObjectStore store = new InMemoryObjectStore();
  private final RecordingStatusSink sink = new RecordingStatusSink();
  private final Set<String> done = ConcurrentHashMap.newKeySet();
  private RenderService service;

  @BeforeEach
  void start() {
    service =
        new RenderService(
            renderer,
            store,
            sink,
            new RenderSettings(
                "test-worker",
                new BatchPolicy(4, Duration.ofMillis(10)),
                1,
                MAX_BYTES,
                1 << 20,
                3 << 20,
                "renders",
                "img",
                new BucketAllowList(Set.of("renders", "controls")),
                1,
                Duration.ZERO),
            Clock.systemUTC(),
            e -> {
              throw new AssertionError(e);
            });
  }

  @AfterEach
  void stop() {
    service.close();
  }

  @Test
  void anInlineControlImageReachesTheRendererAndSetsTheDefaultSize() throws Exception {
    submit(
        RenderJob.builder("inline", "edges")
            .control(ControlSpec.inlinePng(png(24, 16), ControlType.HED, 0.5))
            .build());

    awaitTrue(() -> done.contains("inline"));

    RenderItem item = renderer.items().get(0);
    assertThat(item.control().image().width()).isEqualTo(24);
    assertThat(item.control().kind()).isEqualTo(ControlMapKind.HED);
    assertThat(item.control().scale()).isEqualTo(0.5f);
    // 24x16 is below the 256-pixel minimum a job may ask for: scaled up, aspect kept.
    assertThat(item.width()).isEqualTo(384);
    assertThat(item.height()).isEqualTo(256);
    StatusEvent terminal = sink.terminal("inline");
    assertThat(terminal.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(terminal.results().get(0).width()).isEqualTo(384);
  }

  @Test
  void aControlImageOutsideTheJobLimitsCannotSetAnOutOfRangeSize() throws Exception {
    // Issue 11, defect 3: a 64x3000 control image gave a SUCCEEDED 64x3000 render.
    submit(
        RenderJob.builder("tall", "edges")
            .control(ControlSpec.inlinePng(blackPng(64, 3000), ControlType.HED, 1.0))
            .build());

    awaitTrue(() -> done.contains("tall"));

    StatusEvent terminal = sink.terminal("tall");
    assertThat(terminal.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(terminal.results().get(0).width()).isEqualTo(RenderJob.MIN_SIZE);
    assertThat(terminal.results().get(0).height()).isEqualTo(RenderJob.MAX_SIZE);
  }

  @Test
  void sizesFromControlImagesKeepTheirAspectWithinTheJobLimits() {
    RenderJob binned = RenderJob.builder("b", "x").build();
    RenderJob exact = RenderJob.builder("e", "x").binning(false).build();
    assertThat(JobPlanner.sizeWithinJobLimits(1000, 700, binned)).containsExactly(1000, 704);
    assertThat(JobPlanner.sizeWithinJobLimits(1000, 700, exact)).containsExactly(1008, 704);
    assertThat(JobPlanner.sizeWithinJobLimits(4096, 1024, binned)).containsExactly(2048, 512);
    assertThat(JobPlanner.sizeWithinJobLimits(100, 200, binned)).containsExactly(256, 512);
    assertThat(JobPlanner.sizeWithinJobLimits(3000, 64, exact)).containsExactly(2048, 256);
    for (int w = 1; w < 5000; w += 97) {
      for (int h = 1; h < 5000; h += 89) {
        int[] size = JobPlanner.sizeWithinJobLimits(w, h, exact);
        for (int side : size) {
          assertThat(side).isBetween(RenderJob.MIN_SIZE, RenderJob.MAX_SIZE);
          assertThat(side % 16).isZero();
        }
      }
    }
  }

  @Test
  void anS3ControlImageIsReadFromTheStoreAndAnExplicitSizeWins() throws Exception {
    store.putIfAbsent(
        new ObjectUpload("controls", "c/edge.png", png(32, 32), "image/png", Map.of()));
    submit(
        RenderJob.builder("from-s3", "edges")
            .size(256, 256)
            .control(ControlSpec.of("s3://controls/c/edge.png", ControlType.CANNY))
            .build());

    awaitTrue(() -> done.contains("from-s3"));

    RenderItem item = renderer.items().get(0);
    assertThat(item.control().image().width()).isEqualTo(32);
    assertThat(item.width()).isEqualTo(256);
    assertThat(item.control().kind()).isEqualTo(ControlMapKind.CANNY);
    assertThat(item.batchKey().control()).isTrue();
    assertThat(sink.terminal("from-s3").state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void unusableControlImagesFailWithTheirOwnCodes() throws Exception {
    store.putIfAbsent(
        new ObjectUpload("controls", "big.png", new byte[MAX_BYTES + 1], "image/png", Map.of()));
    store.putIfAbsent(
        new ObjectUpload(
            "controls",
            "text.png",
            "not an image".getBytes(StandardCharsets.UTF_8),
            "image/png",
            Map.of()));
    submit(control("missing", "s3://controls/nothing-here.png"));
    submit(control("big", "s3://controls/big.png"));
    submit(control("text", "s3://controls/text.png"));
    submit(
        RenderJob.builder("inline-big", "x")
            .control(ControlSpec.inlinePng(new byte[MAX_BYTES * 2], ControlType.HED, 1))
            .build());

    awaitTrue(() -> done.size() == 4);

    assertThat(code("missing")).isEqualTo(ErrorCodes.CONTROL_IMAGE_NOT_FOUND);
    assertThat(code("big")).isEqualTo(ErrorCodes.CONTROL_IMAGE_TOO_LARGE);
    assertThat(code("text")).isEqualTo(ErrorCodes.CONTROL_IMAGE_INVALID);
    assertThat(code("inline-big")).isEqualTo(ErrorCodes.CONTROL_IMAGE_TOO_LARGE);
    assertThat(renderer.batches()).isEmpty();
  }

  @Test
  void controlKeysWithDotSegmentsAreRefusedBeforeTheStoreIsAsked() throws Exception {
    // Issue 11, defect 7: a server that resolves '..' would let the key climb inside the bucket.
    store.putIfAbsent(
        new ObjectUpload("controls", "secret/edge.png", png(32, 32), "image/png", Map.of()));
    submit(control("climb", "s3://controls/public/../secret/edge.png"));

    awaitTrue(() -> done.contains("climb"));

    assertThat(code("climb")).isEqualTo(ErrorCodes.CONTROL_IMAGE_INVALID);
    assertThat(sink.terminal("climb").error().message()).contains("'..' segments");
    assertThat(renderer.batches()).isEmpty();
  }

  private String code(String jobId) {
    return sink.terminal(jobId).error().code();
  }

  private static RenderJob control(String id, String image) {
    return RenderJob.builder(id, "x").control(ControlSpec.of(image, ControlType.HED)).build();
  }

  private void submit(RenderJob job) {
    service.submit(new IncomingJob(job, 1, Instant.now(), "p0", () -> done.add(job.jobId())));
  }

  private static byte[] png(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(FakeRenderer.gradient(width, height, 1), "png", out);
    return out.toByteArray();
  }

  /** A black image: it compresses to well under the test's byte limit at any size. */
  private static byte[] blackPng(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
    return out.toByteArray();
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
