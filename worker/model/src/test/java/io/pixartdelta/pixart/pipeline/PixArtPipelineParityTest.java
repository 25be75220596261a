package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole pipeline against diffusers' PixArtAlphaPipeline on the tiny checkpoint: three prompts
 * (plain, upper case, truncated long prose), seeds 0/42/1234, 128×128, 1, 2 and 4 LCM steps.
 */
class PixArtPipelineParityTest {
  private static PixArtPipeline pipeline;
  private static PixArtPipeline fused;

  @BeforeAll
  static void load() {
    pipeline =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()), PipelineOptions.cpuReference());
    fused =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()),
            PipelineOptions.cpuReference()
                .withKernels(TorchScriptKernels.load(ai.djl.Device.cpu())));
  }

  @AfterAll
  static void close() {
    pipeline.close();
    fused.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void fusedKernelsGiveTheReferenceLatentsToo(int steps) {
    JsonNode c = PipelineFixtures.pipelineCase(steps);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray latents = fused.generateLatents(PipelineFixtures.requests(c, steps), m);
      NDArray expected = Fixtures.array(m, "pipeline/steps" + steps + "/latents.npy");
      double[] tol = PipelineFixtures.tolerance(c, "latents");
      Parity.assertAllClose(latents, expected, tol[0], tol[1]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void finalLatentsAndImagesMatchTheReference(int steps) {
    JsonNode c = PipelineFixtures.pipelineCase(steps);
    List<GenerationRequest> requests = PipelineFixtures.requests(c, steps);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray latents = pipeline.generateLatents(requests, m); // (3, 4, 16, 16)
      NDArray expected = Fixtures.array(m, "pipeline/steps" + steps + "/latents.npy");
      double[] tol = PipelineFixtures.tolerance(c, "latents");
      Parity.assertAllClose(latents, expected, tol[0], tol[1]);

      // image = clamp(decode(latents / 0.18215) / 2 + 0.5, 0, 1), channels last.
      NDArray unit =
          pipeline.decode(latents).mul(0.5f).add(0.5f).clip(0f, 1f).transpose(0, 2, 3, 1);
      NDArray expectedImage = Fixtures.array(m, "pipeline/steps" + steps + "/image.npy");
      double[] itol = PipelineFixtures.tolerance(c, "image");
      Parity.assertAllClose(unit, expectedImage, itol[0], itol[1]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void eightBitImagesAreTheReferenceImagesRounded(int steps) {
    JsonNode c = PipelineFixtures.pipelineCase(steps);
    BatchResult result = pipeline.generate(PipelineFixtures.requests(c, steps));
    try (NDManager m = NDManager.newBaseManager()) {
      float[] ref = Fixtures.array(m, "pipeline/steps" + steps + "/image.npy").toFloatArray();
      int h = 128;
      int w = 128;
      for (int b = 0; b < 3; b++) {
        BufferedImage img = result.results().get(b).images().get(0);
        assertThat(img.getWidth()).isEqualTo(w);
        assertThat(img.getHeight()).isEqualTo(h);
        int worst = 0;
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            int rgb = img.getRGB(x, y);
            int[] got = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
            for (int ch = 0; ch < 3; ch++) {
              int want = (int) Math.rint(ref[((b * h + y) * w + x) * 3 + ch] * 255);
              worst = Math.max(worst, Math.abs(got[ch] - want));
            }
          }
        }
        // The float image matches within 2e-3 (≈ 0.5 of a level), so rounding differs by ≤ 1.
        assertThat(worst).as("max 8-bit difference, image " + b).isLessThanOrEqualTo(1);
      }
    }
  }
}
