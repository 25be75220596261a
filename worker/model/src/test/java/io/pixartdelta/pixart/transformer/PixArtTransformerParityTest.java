package io.pixartdelta.pixart.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.TestDevice;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny transformer against the reference: every intermediate the fixtures record and the final
 * output, for the square batch-2 case and the non-square batch-1 case, on the {@link TestDevice}.
 */
@Tag("parity")
class PixArtTransformerParityTest {
  private static PixArtTransformer model;

  @BeforeAll
  static void load() {
    model =
        PixArtTransformer.load(
            Fixtures.tinyModel().resolve("transformer"),
            TestDevice.device(),
            TestDevice.dtype(),
            NdArrayKernels.INSTANCE);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"main", "alt"})
  void positionEmbeddingGridMatches(String name) {
    TransformerFixture f = TransformerFixture.of(name);
    try (NDManager m = TestDevice.newManager()) {
      Shape latents = f.input(m, "latents").getShape();
      int p = model.config().patchSize();
      NDArray pe = model.positionEmbedding((int) latents.get(2) / p, (int) latents.get(3) / p, m);
      f.assertMatches(pe, "pos_embed_grid");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"main", "alt"})
  void sinusoidalProjectionsMatch(String name) {
    TransformerFixture f = TransformerFixture.of(name);
    try (NDManager m = TestDevice.newManager()) {
      f.assertMatches(
          AdaLayerNormSingle.frequencies(f.input(m, "timestep")), "adaln_single.emb.time_proj");
      f.assertMatches(
          AdaLayerNormSingle.frequencies(f.input(m, "resolution").reshape(-1)),
          "adaln_single.emb.additional_condition_proj.call0");
      f.assertMatches(
          AdaLayerNormSingle.frequencies(f.input(m, "aspect_ratio").reshape(-1)),
          "adaln_single.emb.additional_condition_proj.call1");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"main", "alt"})
  void everyStageMatchesTheReference(String name) {
    TransformerFixture f = TransformerFixture.of(name);
    try (NDManager m = TestDevice.newManager()) {
      NDArray latents = f.input(m, "latents");
      EmbeddedInputs in =
          model.embedInputs(
              latents,
              f.input(m, "timestep"),
              new Conditions(
                  f.input(m, "encoder_hidden_states"),
                  f.input(m, "encoder_attention_mask"),
                  f.input(m, "resolution"),
                  f.input(m, "aspect_ratio")));
      f.assertMatches(in.tokens(), "pos_embed");
      f.assertMatches(in.condition(), "adaln_single.emb");
      f.assertMatches(in.condition(), "adaln_single.embedded_timestep");
      f.assertMatches(in.modulation(), "adaln_single.timestep_mod");
      f.assertMatches(in.captions(), "caption_projection");
      assertThat(in.captionBias().getShape())
          .isEqualTo(new Shape(latents.getShape().get(0), 1, 1, 120));

      NDArray x = in.tokens();
      for (int i = 0; i < model.numBlocks(); i++) {
        x = model.block(i, x, in);
        f.assertMatches(x, "transformer_blocks." + i);
      }
      f.assertMatches(NdArrayKernels.INSTANCE.layerNorm(x, FinalLayer.NORM_EPS), "norm_out");
      f.assertMatches(model.finalProjection(x, in.condition()), "proj_out");
      f.assertMatches(model.finalLayer(x, in), "output");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"main", "alt"})
  void forwardMatchesTheReferenceOutput(String name) {
    TransformerFixture f = TransformerFixture.of(name);
    try (NDManager m = TestDevice.newManager()) {
      NDArray out =
          model.forward(
              f.input(m, "latents"),
              f.input(m, "timestep"),
              new Conditions(
                  f.input(m, "encoder_hidden_states"),
                  f.input(m, "encoder_attention_mask"),
                  f.input(m, "resolution"),
                  f.input(m, "aspect_ratio")));
      assertThat(out.getManager()).isSameAs(m);
      f.assertMatches(out, "output");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"main", "alt"})
  void blocksMatchWhenFedTheReferenceInputs(String name) {
    // Each block in isolation: a drift in one block cannot hide behind the chained comparison.
    TransformerFixture f = TransformerFixture.of(name);
    try (NDManager m = TestDevice.newManager()) {
      EmbeddedInputs in =
          model.embedInputs(
              f.input(m, "latents"),
              f.input(m, "timestep"),
              new Conditions(
                  f.input(m, "encoder_hidden_states"),
                  f.input(m, "encoder_attention_mask"),
                  f.input(m, "resolution"),
                  f.input(m, "aspect_ratio")));
      NDArray previous = TestDevice.compute(f.expected(m, "pos_embed"));
      for (int i = 0; i < model.numBlocks(); i++) {
        f.assertMatches(model.block(i, previous, in), "transformer_blocks." + i);
        previous = TestDevice.compute(f.expected(m, "transformer_blocks." + i));
      }
      NDArray cond = TestDevice.compute(f.expected(m, "adaln_single.embedded_timestep"));
      f.assertMatches(model.finalProjection(previous, cond), "proj_out");
      if (!TestDevice.half()) {
        // fp32 also meets a tighter average bound than the element-wise tolerance.
        double rel =
            Parity.relativeL2(
                model.finalProjection(previous, cond).toFloatArray(),
                f.expected(m, "proj_out").toFloatArray());
        assertThat(rel).isLessThan(1e-5);
      }
    }
  }
}
