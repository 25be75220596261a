package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.TestImages;
import io.pixartdelta.pixart.control.ControlImageLimits;
import io.pixartdelta.pixart.control.ControlImagePreparer;
import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.control.PreparedControlImage;
import io.pixartdelta.pixart.image.AspectRatioBins;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Control maps through the pipeline with the tiny ControlNet adapter of the fixtures. */
class PixArtPipelineControlNetTest {
  private static PixArtPipeline pipeline;

  @BeforeAll
  static void load() {
    pipeline =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()),
            PipelineOptions.cpuReference(),
            new ControlNetFiles(Fixtures.path("controlnet/adapter"), null));
  }

  @AfterAll
  static void close() {
    pipeline.close();
  }

  private static GenerationRequest controlled(ControlMapKind type, float scale) throws IOException {
    AspectRatioBins.Bin bin = AspectRatioBins.unbinned(64, 64);
    PreparedControlImage image =
        new ControlImagePreparer(ControlImageLimits.defaults())
            .prepare(TestImages.edgeMapPng(80, 80), bin);
    return new GenerationRequest("a house", 11, 64, 64, false, 2, 1, null)
        .withControl(new ControlCondition(image, type, scale));
  }

  @Test
  void scaleZeroIsThePlainModelAndScaleOneFollowsTheControl() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] plain =
          pipeline
              .generateLatents(
                  List.of(new GenerationRequest("a house", 11, 64, 64, false, 2, 1, null)), m)
              .toFloatArray();
      float[] zero =
          pipeline.generateLatents(List.of(controlled(ControlMapKind.EDGES, 0f)), m).toFloatArray();
      float[] one =
          pipeline.generateLatents(List.of(controlled(ControlMapKind.EDGES, 1f)), m).toFloatArray();
      float[] canny =
          pipeline.generateLatents(List.of(controlled(ControlMapKind.CANNY, 1f)), m).toFloatArray();
      assertThat(zero).containsExactly(plain);
      assertThat(Parity.relativeL2(one, plain)).isGreaterThan(1e-3);
      assertThat(Parity.relativeL2(canny, one)).isGreaterThan(0);
    }
  }

  @Test
  void controlledAndPlainRequestsDoNotShareABatchAndHedNeedsItsWeights() throws IOException {
    GenerationRequest c = controlled(ControlMapKind.EDGES, 1f);
    assertThatThrownBy(
            () ->
                pipeline.generate(
                    List.of(c, new GenerationRequest("a house", 1, 64, 64, false, 2, 1, null))))
        .hasMessageContaining("all controlled");
    assertThat(pipeline.hasControlNet()).isTrue();
    assertThat(pipeline.hasHed()).isFalse();
    BatchResult r = pipeline.generate(List.of(c));
    assertThat(r.results().get(0).images().get(0).getWidth()).isEqualTo(64);
  }
}
