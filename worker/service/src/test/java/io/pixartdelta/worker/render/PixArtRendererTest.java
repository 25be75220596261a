package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.pipeline.ModelDirectory;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.schemas.ErrorCodes;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real renderer on the tiny checkpoint: per-item failures, samplers and guidance groups. */
class PixArtRendererTest {
  private static PixArtRenderer renderer;

  @BeforeAll
  static void load() {
    renderer =
        new PixArtRenderer(
            PixArtPipeline.load(
                ModelDirectory.open(Fixtures.tinyModel()), PipelineOptions.cpuReference()));
  }

  @AfterAll
  static void close() {
    renderer.close();
  }

  private static RenderItem item(String id, int w, int h, String sampler, Double guidance) {
    return new RenderItem(id, "a lighthouse", 7, w, h, false, 2, 1, sampler, guidance, null);
  }

  @Test
  void badItemsFailAloneAndTheRestRenderAtTheirRequestedSize() {
    List<RenderOutcome> out =
        renderer.render(
            List.of(
                item("ok-lcm", 64, 48, "lcm", null),
                item("bad-size", 60, 48, "lcm", null),
                item("bad-sampler", 64, 48, "euler", null),
                item("ok-lcm-2", 64, 48, "lcm", null)));
    assertThat(out.get(0).succeeded()).isTrue();
    BufferedImage img = out.get(0).images().get(0);
    assertThat(img.getWidth()).isEqualTo(64);
    assertThat(img.getHeight()).isEqualTo(48);
    assertThat(out.get(1).error().code()).isEqualTo(ErrorCodes.INVALID_JOB);
    assertThat(out.get(2).error().code()).isEqualTo(ErrorCodes.UNSUPPORTED_FEATURE);
    assertThat(out.get(3).succeeded()).isTrue();
  }

  @Test
  void dpmItemsWithDifferentGuidanceRenderInTheirOwnGroups() {
    List<RenderOutcome> out =
        renderer.render(
            List.of(
                item("dpm-default", 64, 64, "dpm-solver", null),
                item("dpm-off", 64, 64, "dpm-solver", 0.0),
                item("dpm-default-2", 64, 64, "dpm-solver", 4.5)));
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
  void shapeKeysUseTheRenderSize() {
    RenderItem binned = new RenderItem("b", "x", 1, 1000, 1000, true, 4, 1, "lcm", null, null);
    assertThat(renderer.shapeKey(binned).width()).isEqualTo(1024);
    assertThat(renderer.shapeKey(binned).height()).isEqualTo(1024);
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
