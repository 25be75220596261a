package io.pixartdelta.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.kafka.DeadLetterPublisher;
import io.pixartdelta.worker.render.FakeRenderer;
import io.pixartdelta.worker.render.GuidanceScale;
import io.pixartdelta.worker.render.RenderItem;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.render.StatusSink;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {
  private static final Instant SUBMITTED = Instant.parse("2026-11-27T10:00:00Z");
  private static final Instant STARTED = SUBMITTED.plusMillis(1_500);
  private static final Instant FINISHED = SUBMITTED.plusMillis(4_000);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final WorkerMetrics metrics = new WorkerMetrics(registry);

  private static RenderJob job(String id, int width, int height) {
    return RenderJob.builder(id, "a lighthouse at dawn")
        .size(width, height)
        .steps(2)
        .seed(5L)
        .numImages(2)
        .submittedAt(SUBMITTED)
        .build();
  }

  private static StatusEvent succeeded(String id) {
    RenderJob job = job(id, 512, 512);
    List<ImageResult> images = List.of(image(job, 0), image(job, 1)); // two images per job
    return StatusEvent.succeeded(
        job,
        1,
        "w-1",
        STARTED,
        FINISHED,
        "w-1-b1",
        2,
        new StageTimings(1_500L, 20L, 300L, 40L, 7L, 11L),
        images);
  }

  private static ImageResult image(RenderJob job, int index) {
    return new ImageResult(
        index,
        "s3://renders/t/" + job.jobId() + "/" + index + ".png",
        job.width(),
        job.height(),
        job.seed() + index,
        "0".repeat(64),
        "image/png",
        1234);
  }

  private static StatusSink acknowledging() {
    return event -> CompletableFuture.completedFuture(null);
  }

  private double completed(String outcome, String code) {
    Counter counter =
        registry
            .find(WorkerMetrics.JOBS_COMPLETED)
            .tags("outcome", outcome, "code", code)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void acknowledgedTerminalEventsCountByOutcomeAndErrorCode() {
    StatusSink sink = metrics.meter(acknowledging());
    RenderJob failing = job("j-fail", 512, 512);
    RenderJob late = job("j-late", 512, 512);

    sink.publish(StatusEvent.accepted(failing, 1, "w-1", STARTED)).join();
    sink.publish(succeeded("j-1")).join();
    sink.publish(succeeded("j-2")).join();
    sink.publish(
            StatusEvent.failed(
                failing,
                1,
                "w-1",
                FINISHED,
                ErrorInfo.permanent(ErrorCodes.RENDER_FAILED, "simulated")))
        .join();
    sink.publish(StatusEvent.expired(late, 1, "w-1", FINISHED)).join();

    assertThat(completed("succeeded", WorkerMetrics.NO_CODE)).isEqualTo(2);
    assertThat(completed("failed", ErrorCodes.RENDER_FAILED)).isEqualTo(1);
    assertThat(completed("expired", ErrorCodes.DEADLINE_EXCEEDED)).isEqualTo(1);
    // ACCEPTED is progress, not an outcome.
    assertThat(registry.find(WorkerMetrics.JOBS_COMPLETED).tag("outcome", "accepted").counter())
        .isNull();
    assertThat(registry.get(WorkerMetrics.IMAGES_STORED).counter().count()).isEqualTo(4);
    Timer publish = registry.get(WorkerMetrics.STATUS_PUBLISH).tag("state", "accepted").timer();
    assertThat(publish.count()).isEqualTo(1);
  }

  @Test
  void endToEndLatencyRunsFromSubmissionToTheTerminalEvent() {
    metrics.meter(acknowledging()).publish(succeeded("j-1")).join();

    Timer latency = registry.get(WorkerMetrics.JOB_LATENCY).tag("outcome", "succeeded").timer();
    assertThat(latency.count()).isEqualTo(1);
    assertThat(latency.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(4_000, within(1e-6));
  }

  @Test
  void perJobStagesComeFromTheSucceededEventsTimings() {
    metrics.meter(acknowledging()).publish(succeeded("j-1")).join();

    assertThat(jobStageMillis("queue")).isEqualTo(1_500);
    assertThat(jobStageMillis("encode")).isEqualTo(7);
    assertThat(jobStageMillis("upload")).isEqualTo(11);
  }

  private double jobStageMillis(String stage) {
    return registry
        .get(WorkerMetrics.JOB_STAGE)
        .tag("stage", stage)
        .timer()
        .totalTime(TimeUnit.MILLISECONDS);
  }

  @Test
  void aRefusedTerminalEventIsNotAnOutcome() {
    StatusSink refusing =
        metrics.meter(
            event -> CompletableFuture.failedFuture(new IllegalStateException("broker down")));

    CompletableFuture<Void> sent = refusing.publish(succeeded("j-1"));

    assertThatThrownBy(sent::join).hasRootCauseMessage("broker down");
    assertThat(completed("succeeded", WorkerMetrics.NO_CODE)).isZero();
    assertThat(
            registry
                .get(WorkerMetrics.STATUS_PUBLISH)
                .tags("state", "succeeded", "result", "error")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void batchesAreMeasuredPerRendererCallWithTheModelsStageTimes() {
    FakeRenderer fake = new FakeRenderer(); // reports 1/2/3 ms text encode/denoise/decode
    Renderer renderer = metrics.meter(fake);

    renderer.render(List.of(item("a", 1024, 1024), item("b", 1024, 1024), item("c", 1024, 1024)));
    renderer.render(List.of(item("d", 896, 1152)));

    DistributionSummary sizes =
        registry
            .get(WorkerMetrics.BATCH_SIZE)
            .tags("resolution", "1024", "steps", "2", "control", "false")
            .summary();
    assertThat(sizes.count()).isEqualTo(2); // two batches of the same class
    assertThat(sizes.totalAmount()).isEqualTo(4); // 3 + 1 items
    assertThat(sizes.max()).isEqualTo(3);
    assertThat(batchStage("text_encode").count()).isEqualTo(2);
    assertThat(batchStage("text_encode").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2);
    assertThat(batchStage("denoise").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(4);
    assertThat(batchStage("decode").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(6);
    assertThat(registry.get(WorkerMetrics.BATCH_RENDER).tag("result", "ok").timer().count())
        .isEqualTo(2);
    assertThat(fake.batches()).hasSize(2);
  }

  @Test
  void aBatchThatThrowsCountsAsAnErrorCallWithoutASize() {
    Renderer renderer = metrics.meter(new FakeRenderer());
    List<RenderItem> items = List.of(item("a #throw", 512, 512), item("b", 512, 512));

    assertThatThrownBy(() -> renderer.render(items)).isInstanceOf(IllegalStateException.class);
    // A batch whose items all failed has no stage times to report.
    renderer.render(List.of(item("c #fail", 512, 512)));

    assertThat(registry.get(WorkerMetrics.BATCH_RENDER).tag("result", "error").timer().count())
        .isEqualTo(1);
    assertThat(registry.get(WorkerMetrics.BATCH_SIZE).summary().count()).isEqualTo(1);
    assertThat(registry.find(WorkerMetrics.BATCH_STAGE).timer()).isNull();
  }

  private Timer batchStage(String stage) {
    return registry.get(WorkerMetrics.BATCH_STAGE).tag("stage", stage).timer();
  }

  private static RenderItem item(String prompt, int width, int height) {
    return new RenderItem(
        prompt.split(" ")[0],
        prompt,
        7,
        width,
        height,
        false,
        new AspectRatioBins.Bin(AspectRatioBins.UNBINNED_KEY, height, width),
        2,
        1,
        SchedulerKind.LCM,
        GuidanceScale.of(null, SchedulerKind.LCM),
        null);
  }

  @Test
  void deadLettersCountByCodeAndUnknownCodesStayBounded() {
    metrics.deadLettered(ErrorCodes.INVALID_JSON, DeadLetterPublisher.Copy.FULL);
    metrics.deadLettered(ErrorCodes.INVALID_JSON, DeadLetterPublisher.Copy.FULL);
    metrics.deadLettered("made-up-code", DeadLetterPublisher.Copy.FULL);

    assertThat(
            registry
                .get(WorkerMetrics.JOBS_DEAD_LETTERED)
                .tag("code", ErrorCodes.INVALID_JSON)
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get(WorkerMetrics.JOBS_DEAD_LETTERED)
                .tag("code", WorkerMetrics.OTHER_CODE)
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void resolutionClassesAreTheSmallestSquareHoldingThePixels() {
    assertThat(ShapeClass.resolution(256, 256)).isEqualTo("256");
    assertThat(ShapeClass.resolution(512, 384)).isEqualTo("512");
    assertThat(ShapeClass.resolution(1024, 1024)).isEqualTo("1024");
    assertThat(ShapeClass.resolution(896, 1152)).isEqualTo("1024"); // 1 032 192 <= 1024²
    assertThat(ShapeClass.resolution(1024, 1040)).isEqualTo("1536");
    assertThat(ShapeClass.resolution(2048, 2048)).isEqualTo("2048");
    assertThat(ShapeClass.resolution(2048, 2064)).isEqualTo("larger");
  }

  @Test
  void inFlightGaugeReadsTheSupplier() {
    int[] pending = {3};
    metrics.bindInFlight(() -> pending[0]);
    assertThat(registry.get(WorkerMetrics.JOBS_IN_FLIGHT).gauge().value()).isEqualTo(3);
    pending[0] = 0;
    assertThat(registry.get(WorkerMetrics.JOBS_IN_FLIGHT).gauge().value()).isZero();
  }
}
