package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.image.AspectRatioBins;
import java.awt.image.BufferedImage;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PixArtPipelineBehaviourTest {
  private static PixArtPipeline pipeline;

  @BeforeAll
  static void load() {
    pipeline =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()), PipelineOptions.cpuReference());
  }

  @AfterAll
  static void close() {
    pipeline.close();
  }

  private static GenerationRequest request(String prompt, long seed) {
    return new GenerationRequest(prompt, seed, 128, 128, false, 2, 1, null);
  }

  @Test
  void anImageDependsOnlyOnItsOwnRequestNotOnItsBatchMates() {
    GenerationRequest mine = request("a red bicycle leaning on a wall", 7);
    try (NDManager m = NDManager.newBaseManager()) {
      float[] alone = pipeline.generateLatents(List.of(mine), m).toFloatArray();
      NDArray batch =
          pipeline.generateLatents(
              List.of(
                  request("a lighthouse at dusk", 1),
                  mine,
                  request("AN ASTRONAUT RIDING A HORSE", 99),
                  request("", 3)),
              m); // (4, 4, 16, 16)
      float[] second = batch.split(4, 0).get(1).toFloatArray();
      assertThat(Parity.relativeL2(second, alone)).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void numImagesUsesConsecutiveSeedsLikeSeparateRequests() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] two =
          pipeline
              .generateLatents(List.of(request("two cats", 10).withNumImages(2)), m)
              .toFloatArray();
      float[] seed11 = pipeline.generateLatents(List.of(request("two cats", 11)), m).toFloatArray();
      float[] secondHalf = java.util.Arrays.copyOfRange(two, two.length / 2, two.length);
      assertThat(Parity.relativeL2(secondHalf, seed11)).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void presetInitialLatentsReplaceTheSeedDraw() {
    // Seed 0's first draw is the fixture's torch.randn(1,4,16,16): presetting it must change
    // nothing for a one-step render (no step noise is drawn after the initial latents).
    try (NDManager m = NDManager.newBaseManager()) {
      float[] preset = Fixtures.npy("rng/seed0_1x4x16x16.npy").toFloatArray();
      GenerationRequest oneStep = new GenerationRequest("a fox", 0, 128, 128, false, 1, 1, null);
      float[] drawn = pipeline.generateLatents(List.of(oneStep), m).toFloatArray();
      float[] given =
          pipeline.generateLatents(List.of(oneStep.withInitialLatents(preset)), m).toFloatArray();
      assertThat(Parity.relativeL2(given, drawn)).isLessThanOrEqualTo(1e-6);
      // A different preset gives a different image: the preset is really used.
      float[] shifted = preset.clone();
      for (int i = 0; i < shifted.length; i++) {
        shifted[i] = -shifted[i];
      }
      float[] other =
          pipeline.generateLatents(List.of(oneStep.withInitialLatents(shifted)), m).toFloatArray();
      assertThat(Parity.relativeL2(other, drawn)).isGreaterThan(1e-2);
    }
  }

  @Test
  void noArraysLeakAcrossTwentyGenerations() {
    BaseNDManager root = (BaseNDManager) pipeline.rootManager();
    pipeline.generate(List.of(request("warm up", 1)));
    int before = root.getManagedArrays().size();
    int cachedBefore = pipeline.cachedPrompts();
    for (int i = 0; i < 20; i++) {
      pipeline.generate(List.of(request("leak check " + (i % 3), i)));
    }
    // Only the prompt cache's device rows outlive a batch: one per distinct cached prompt.
    assertThat(before).isEqualTo(cachedBefore);
    assertThat(root.getManagedArrays()).hasSize(pipeline.cachedPrompts());
  }

  @Test
  void evictedPromptEmbeddingsAreFreedEvenWhenTheBatchStillUsesThem() {
    try (PixArtPipeline small =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()),
            PipelineOptions.cpuReference().withPromptCacheSize(2))) {
      BaseNDManager root = (BaseNDManager) small.rootManager();
      // Five new prompts in one batch: three are evicted while the batch is being assembled.
      List<GenerationRequest> five =
          List.of(
              request("one", 1),
              request("two", 2),
              request("three", 3),
              request("four", 4),
              request("five", 5));
      try (NDManager m = NDManager.newBaseManager()) {
        float[] together = small.generateLatents(five, m).toFloatArray();
        float[] alone = small.generateLatents(List.of(five.get(0)), m).toFloatArray();
        float[] firstRow = new float[alone.length];
        System.arraycopy(together, 0, firstRow, 0, alone.length);
        assertThat(Parity.relativeL2(firstRow, alone)).isLessThanOrEqualTo(1e-5);
      }
      assertThat(small.cachedPrompts()).isEqualTo(2);
      assertThat(root.getManagedArrays()).hasSize(2);
    }
  }

  @Test
  void binnedRendersAreResizedBackToTheRequestedSize() {
    // 60×100 px with binning on: not itself a bin, so it renders at the closest 1024-class bin
    // (about a million pixels) and the image must come back at 60×100.
    GenerationRequest req = new GenerationRequest("a tall tower", 5, 60, 100, true, 1, 1, null);
    AspectRatioBins.Bin bin = pipeline.renderSize(req);
    assertThat(bin.key()).isNotEqualTo(AspectRatioBins.UNBINNED_KEY);
    assertThat(bin.height()).isGreaterThan(10 * req.height());
    assertThat(bin.aspectRatio()).isCloseTo(100 / 60.0, Offset.offset(0.1));

    GenerationResult result = pipeline.generate(List.of(req)).results().get(0);
    assertThat(result.renderHeight()).isEqualTo(bin.height());
    assertThat(result.renderWidth()).isEqualTo(bin.width());
    BufferedImage img = result.images().get(0);
    assertThat(img.getWidth()).isEqualTo(60);
    assertThat(img.getHeight()).isEqualTo(100);
  }

  @Test
  void aBatchMustShareRenderSizeAndSteps() {
    assertThatThrownBy(
            () ->
                pipeline.generate(
                    List.of(
                        request("a", 1), new GenerationRequest("b", 1, 64, 64, false, 2, 1, null))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("share render size");
    assertThatThrownBy(
            () -> pipeline.generate(List.of(request("a", 1).withInitialLatents(new float[3]))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initial latents");
  }
}
