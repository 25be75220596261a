package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.text.T5WeightStorage;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole tiny pipeline with the 8 GB mode's int8 T5 against the reference images (computed with
 * fp32 T5) on the fixture's prompts and seeds: the end-to-end quality loss of quantizing T5.
 */
class PixArtPipelineInt8T5Test {
  /**
   * Images in [0, 1]. The int8 T5 output differs from fp32 by ≈ 1.5 % relative L2 (see
   * T5EncoderInt8Test); the captions only steer the transformer through cross-attention, so the
   * image moves by much less than that: PSNR ≥ 40 dB (RMS error ≤ 1 %) and no pixel off by more
   * than 0.1, i.e. visually the same picture.
   */
  private static final double MIN_PSNR_DB = 40;

  private static final double MAX_ABS = 0.1;

  private static PixArtPipeline int8;

  @BeforeAll
  static void load() {
    int8 =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()),
            PipelineOptions.cpuReference().withT5Weights(T5WeightStorage.INT8));
  }

  @AfterAll
  static void close() {
    int8.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void imagesStayCloseToTheFp32T5Reference(int steps) {
    JsonNode c = PipelineFixtures.pipelineCase(steps);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray latents = int8.generateLatents(PipelineFixtures.requests(c, steps), m);
      float[] image =
          int8.decode(latents)
              .mul(0.5f)
              .add(0.5f)
              .clip(0f, 1f)
              .transpose(0, 2, 3, 1)
              .toFloatArray(); // (3, 128, 128, 3)
      float[] expected = Fixtures.array(m, "pipeline/steps" + steps + "/image.npy").toFloatArray();
      double squared = 0;
      double maxAbs = 0;
      for (int i = 0; i < image.length; i++) {
        double d = (double) image[i] - expected[i];
        squared += d * d;
        maxAbs = Math.max(maxAbs, Math.abs(d));
      }
      double psnr = 10 * Math.log10(1 / (squared / image.length));
      System.out.printf(
          "pipeline %d steps, int8 T5 vs fp32 T5 reference: PSNR %.2f dB, max |diff| %.4f%n",
          steps, psnr, maxAbs);
      assertThat(psnr).isGreaterThanOrEqualTo(MIN_PSNR_DB);
      assertThat(maxAbs).isLessThanOrEqualTo(MAX_ABS);
    }
  }

  @Test
  void reportsTheInt8TextEncoderBytes() {
    Map<String, Long> bytes = int8.weightBytes();
    assertThat(bytes.keySet()).containsExactly("text_encoder", "transformer", "vae");
    try (PixArtPipeline full =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()), PipelineOptions.cpuReference())) {
      Map<String, Long> fullBytes = full.weightBytes();
      assertThat(bytes.get("text_encoder")).isLessThan(fullBytes.get("text_encoder") * 3 / 10);
      assertThat(bytes.get("transformer")).isEqualTo(fullBytes.get("transformer"));
      assertThat(bytes.get("vae")).isEqualTo(fullBytes.get("vae"));
    }
  }
}
