package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.InvalidMessageException;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.storage.BucketAllowList;
import io.pixartdelta.worker.storage.ObjectUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing (Jazzer) of what the worker does with a record before any rendering: the
 * codec's decoding and schema validation, then the planner's checks, control image loading (inline
 * or from the store, through the safe decoder) and sizing.
 *
 * <p>Properties: decoding fails only with {@link InvalidMessageException} and a decode error code;
 * an accepted job survives encode → decode unchanged; planning either refuses with a known error
 * code or yields an item within the job limits, and gives back all control image memory. Any other
 * exception is a finding.
 *
 * <p>{@code mvn verify} fuzzes for {@code maxDuration} in surefire's {@code fuzz} execution
 * (JAZZER_FUZZ=1) after replaying the seeds in {@code JobIntakeFuzzTestInputs/}; longer runs: see
 * {@code worker/README.md}, "Tests".
 */
class JobIntakeFuzzTest {
  private static final JsonCodec CODEC = JsonCodec.shared();
  private static final InMemoryObjectStore STORE = storeWithControlImages();
  private static final JobPlanner PLANNER = planner(new FakeRenderer(true));

  private static JobPlanner planner(Renderer renderer) {
    return new JobPlanner(
        new RenderSettings(
            "fuzz-worker",
            new BatchPolicy(4, Duration.ofMillis(10)),
            1,
            64 * 1024,
            1 << 20,
            16 << 20,
            "renders",
            "img",
            new BucketAllowList(Set.of("renders", "other")),
            1,
            Duration.ZERO),
        renderer,
        STORE);
  }

  @Test
  void aSizeTheRendererCannotRenderFailsPlanningAsAnInvalidJob() {
    Renderer offGrid =
        new Renderer() {
          @Override
          public List<RenderOutcome> render(List<RenderItem> items) {
            throw new AssertionError("never planned");
          }

          @Override
          public String modelId() {
            return "off-grid";
          }

          @Override
          public AspectRatioBins.Bin renderSize(int width, int height, boolean binning) {
            throw new IllegalArgumentException(width + "x" + height + " is off the patch grid");
          }
        };
    JobPlanner planner = planner(offGrid);
    RenderJob job = RenderJob.builder("j-1", "a fox").size(512, 256).build();
    IncomingJob incoming = new IncomingJob(job, 1, Instant.EPOCH, "p0", () -> {});

    assertThatThrownBy(() -> planner.plan(incoming, planner.check(job)))
        .isInstanceOfSatisfying(
            JobRejectedException.class,
            e -> {
              assertThat(e.error().code()).isEqualTo(ErrorCodes.INVALID_JOB);
              assertThat(e.error().message()).contains("512x256 is off the patch grid");
            });
  }

  @FuzzTest(maxDuration = "25s")
  @DictionaryEntries({
    "\"schemaVersion\":1",
    "\"jobId\":\"",
    "\"prompt\":\"",
    "\"submittedAt\":\"2026-01-01T00:00:00Z\"",
    "\"width\":",
    "\"height\":",
    "\"binning\":false",
    "\"steps\":",
    "\"seed\":",
    "\"numImages\":",
    "\"sampler\":\"dpm-solver\"",
    "\"guidanceScale\":",
    "\"priority\":",
    "\"deadline\":\"",
    "\"metadata\":{",
    "\"output\":{\"bucket\":\"",
    "\"prefix\":\"",
    "\"format\":\"jpeg\"",
    "\"jpegQuality\":",
    "\"control\":{\"type\":\"edges\",\"image\":\"",
    "s3://renders/control/edges.png",
    "data:image/png;base64,",
    "iVBORw0KGgo"
  })
  void decodeValidateAndPlan(byte[] message) throws InterruptedException {
    RenderJob job;
    try {
      job = CODEC.decodeJob(message);
    } catch (InvalidMessageException e) {
      assertThat(e.code())
          .isIn(ErrorCodes.INVALID_JSON, ErrorCodes.SCHEMA_INVALID, ErrorCodes.INVALID_JOB);
      return;
    }
    assertThat(CODEC.decodeJob(CODEC.encode(job))).isEqualTo(job);

    IncomingJob incoming = new IncomingJob(job, 1, Instant.EPOCH, "fuzz", () -> {});
    PlannedJob planned;
    try {
      planned = PLANNER.plan(incoming, PLANNER.check(job));
    } catch (JobRejectedException e) {
      assertThat(ErrorCodes.isKnown(e.error().code())).as(e.error().code()).isTrue();
      assertThat(PLANNER.controlImageBytesHeld()).isZero();
      return;
    }
    RenderItem item = planned.item();
    assertThat(item.width()).isBetween(RenderJob.MIN_SIZE, RenderJob.MAX_SIZE);
    assertThat(item.height()).isBetween(RenderJob.MIN_SIZE, RenderJob.MAX_SIZE);
    int multiple = job.binning() ? 8 : 16;
    assertThat(item.width() % multiple).isZero();
    assertThat(item.height() % multiple).isZero();
    assertThat(item.seedOf(0)).isNotNegative();
    assertThat(item.numImages()).isBetween(1, 4);
    planned.release();
    assertThat(PLANNER.controlImageBytesHeld()).isZero();
  }

  private static InMemoryObjectStore storeWithControlImages() {
    InMemoryObjectStore store = new InMemoryObjectStore();
    try (InputStream png =
        JobIntakeFuzzTest.class.getResourceAsStream("/fuzz/control-edges-64x48.png")) {
      byte[] bytes = png.readAllBytes();
      store.putIfAbsent(
          new ObjectUpload("renders", "control/edges.png", bytes, "image/png", Map.of()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return store;
  }
}
