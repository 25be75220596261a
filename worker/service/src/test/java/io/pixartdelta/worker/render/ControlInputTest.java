package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.storage.BucketAllowList;
import io.pixartdelta.worker.storage.ObjectUpload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
    assertThat(item.control().image().getWidth()).isEqualTo(24);
    assertThat(item.control().type()).isEqualTo("hed");
    assertThat(item.control().scale()).isEqualTo(0.5);
    assertThat(item.width()).isEqualTo(24);
    assertThat(item.height()).isEqualTo(16);
    StatusEvent terminal = sink.terminal("inline");
    assertThat(terminal.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(terminal.results().get(0).width()).isEqualTo(24);
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
    assertThat(item.control().image().getWidth()).isEqualTo(32);
    assertThat(item.width()).isEqualTo(256);
    assertThat(renderer.shapeKey(item).control()).isTrue();
    assertThat(sink.terminal("from-s3").state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void unusableControlImagesFailWithTheirOwnCodes() throws Exception {
    store.putIfAbsent(
        new ObjectUpload("controls", "big.png", new byte[MAX_BYTES + 1], "image/png", Map.of()));
    store.putIfAbsent(
        new ObjectUpload("controls", "text.png", "not an image".getBytes(), "image/png", Map.of()));
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
