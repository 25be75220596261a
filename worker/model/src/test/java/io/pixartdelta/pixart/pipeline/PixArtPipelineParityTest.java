package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.HalfPrecisionBound;
import io.pixartdelta.pixart.TestDevice;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole pipeline against diffusers' PixArtAlphaPipeline on the tiny checkpoint: three prompts
 * (plain, upper case, truncated long prose), seeds 0/42/1234, 128×128, 1, 2 and 4 LCM steps, on the
 * {@link TestDevice}.
 */
@Tag("parity")
class PixArtPipelineParityTest {
  private static PixArtPipeline pipeline;
  private static PixArtPipeline fused;

  @BeforeAll
  static void load() {
    pipeline =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()), PipelineFixtures.testDeviceOptions());
    fused =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()),
            PipelineFixtures.testDeviceOptions()
                .withKernels(TorchScriptKernels.load(TestDevice.device())));
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
    try (NDManager m = TestDevice.newManager()) {
      NDArray latents = fused.generateLatents(PipelineFixtures.requests(c, steps), m);
      PipelineFixtures.assertMatches(latents, c, "latents", "fused");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void finalLatentsAndImagesMatchTheReference(int steps) {
    JsonNode c = PipelineFixtures.pipelineCase(steps);
    List<GenerationRequest> requests = PipelineFixtures.requests(c, steps);
    try (NDManager m = TestDevice.newManager()) {
      NDArray latents = pipeline.generateLatents(requests, m); // (3, 4, 16, 16)
      PipelineFixtures.assertMatches(latents, c, "latents", "reference kernels");

      // image = clamp(decode(latents / 0.18215) / 2 + 0.5, 0, 1), channels last.
      NDArray unit =
          pipeline.decode(latents).mul(0.5f).add(0.5f).clip(0f, 1f).transpose(0, 2, 3, 1);
      PipelineFixtures.assertMatches(unit, c, "image", "reference kernels");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void eightBitImagesAreTheReferenceImagesRounded(int steps) {
    JsonNode c = PipelineFixtures.pipelineCase(steps);
    BatchResult result = pipeline.generate(PipelineFixtures.requests(c, steps));
    // The float image matches within 2e-3 (≈ 0.5 of a level) in fp32, so rounding differs by ≤ 1;
    // in fp16 within the image bound's worst-element error.
    double floatError = TestDevice.half() ? HalfPrecisionBound.PIPELINE_IMAGE.maxError() : 2e-3;
    int allowed = (int) Math.floor(floatError * 255) + 1;
    try (NDManager m = TestDevice.newManager()) {
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
        assertThat(worst).as("max 8-bit difference, image " + b).isLessThanOrEqualTo(allowed);
      }
    }
  }
}
