package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.TestImages;
import io.pixartdelta.pixart.control.ControlImageLimits;
import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.control.SafeImageDecoder;
import io.pixartdelta.pixart.pipeline.ControlNetFiles;
import io.pixartdelta.pixart.pipeline.ModelDirectory;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.schemas.ErrorCodes;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real renderer on the tiny checkpoint with the tiny ControlNet adapter (no HED weights):
 * per-item failures, schedulers and one pipeline call per batch key.
 */
class PixArtRendererTest {
  private static PixArtRenderer renderer;

  @BeforeAll
  static void load() {
    renderer =
        new PixArtRenderer(
            PixArtPipeline.load(
                ModelDirectory.open(Fixtures.tinyModel()),
                PipelineOptions.cpuReference(),
                new ControlNetFiles(Fixtures.path("controlnet/adapter"), null)));
  }

  @AfterAll
  static void close() {
    renderer.close();
  }

  private static RenderItem item(
      String id, int size, int steps, SchedulerKind scheduler, Double guidance, ControlInput c) {
    return new RenderItem(
        id,
        "a lighthouse",
        7,
        size,
        size * 3 / 4,
        false,
        renderer.renderSize(size, size * 3 / 4, false),
        steps,
        1,
        scheduler,
        GuidanceScale.of(guidance, scheduler),
        c);
  }

  private static RenderItem lcm(String id) {
    return item(id, 64, 2, SchedulerKind.LCM, null, null);
  }

  private static ControlInput edges(ControlMapKind kind, float scale) {
    byte[] png = TestImages.edgeMapPng(80, 60);
    return new ControlInput(
        new SafeImageDecoder(ControlImageLimits.defaults()).decode(png), kind, scale);
  }

  @Test
  void badItemsFailAloneAndTheRestRenderAtTheirRequestedSize() {
    List<RenderOutcome> out =
        renderer.render(
            List.of(
                lcm("ok-lcm"),
                item("too-many-lcm-steps", 64, 9, SchedulerKind.LCM, null, null),
                item(
                    "hed-without-weights",
                    64,
                    2,
                    SchedulerKind.LCM,
                    null,
                    edges(ControlMapKind.HED, 1f)),
                lcm("ok-lcm-2")));
    assertThat(out.get(0).succeeded()).isTrue();
    BufferedImage img = out.get(0).images().get(0);
    assertThat(img.getWidth()).isEqualTo(64);
    assertThat(img.getHeight()).isEqualTo(48);
    assertThat(out.get(1).error().code()).isEqualTo(ErrorCodes.INVALID_JOB);
    assertThat(out.get(2).error().code()).isEqualTo(ErrorCodes.UNSUPPORTED_FEATURE);
    assertThat(out.get(2).error().message()).contains("HED");
    assertThat(out.get(3).succeeded()).isTrue();
  }

  @Test
  void dpmItemsWithDifferentGuidanceRenderInTheirOwnGroups() {
    List<RenderOutcome> out =
        renderer.render(
            List.of(
                item("dpm-default", 64, 2, SchedulerKind.DPM_SOLVER, null, null),
                item("dpm-off", 64, 2, SchedulerKind.DPM_SOLVER, 0.0, null),
                item("dpm-default-2", 64, 2, SchedulerKind.DPM_SOLVER, 4.5, null)));
    assertThat(out).allMatch(RenderOutcome::succeeded);
    int[] a = pixels(out.get(0).images().get(0));
    int[] c = pixels(out.get(2).images().get(0));
    int[] b = pixels(out.get(1).images().get(0));
    // Same prompt and seed: the default guidance (4.5) is what an explicit 4.5 gives, and differs
    // from no guidance.
    assertThat(a).isEqualTo(c);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void itemsTheOldFloatKeyMergedRenderInSeparateCalls() {
    // The former key guidance*1000f + controlScale (-1 when plain) put all three in one pipeline
    // call (7000.5, 7000.5; 7000 for the plain item and for 7.0 at scale 0), which the pipeline
    // refuses as a whole: a batch must share its conditioning scale and be all controlled or plain.
    List<RenderOutcome> out =
        renderer.render(
            List.of(
                item(
                    "g7-s0.5",
                    64,
                    2,
                    SchedulerKind.DPM_SOLVER,
                    7.0,
                    edges(ControlMapKind.EDGES, 0.5f)),
                item(
                    "g7.0005-s0",
                    64,
                    2,
                    SchedulerKind.DPM_SOLVER,
                    7.0005,
                    edges(ControlMapKind.EDGES, 0f)),
                item("g7.001-plain", 64, 2, SchedulerKind.DPM_SOLVER, 7.001, null),
                item(
                    "g7-s0",
                    64,
                    2,
                    SchedulerKind.DPM_SOLVER,
                    7.0,
                    edges(ControlMapKind.EDGES, 0f))));
    assertThat(out).allMatch(RenderOutcome::succeeded);
  }

  @Test
  void theRenderSizeIsTheBinAndOffGridSizesAreRefused() {
    assertThat(renderer.renderSize(1000, 1000, true).width()).isEqualTo(1024);
    assertThat(renderer.renderSize(1000, 1000, true).height()).isEqualTo(1024);
    assertThat(renderer.renderSize(64, 48, false).height()).isEqualTo(48);
    assertThatThrownBy(() -> renderer.renderSize(60, 48, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiples of 16");
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
