package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.transformer.Conditions;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import org.junit.jupiter.api.Test;

/**
 * Classifier-free guidance helpers: the combination against a host-side float64 evaluation, the
 * batch doubling and splitting, and, on the tiny transformer, that one forward over the doubled
 * batch equals the two separate forwards it replaces.
 */
class GuidanceTest {

  @Test
  void combineIsUncondPlusScaleTimesTheDifference() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(11);
      NDArray uncond = m.randomNormal(new Shape(2, 4, 3, 3));
      NDArray cond = m.randomNormal(new Shape(2, 4, 3, 3));
      float[] u = uncond.toFloatArray();
      float[] c = cond.toFloatArray();
      float[] expected = new float[u.length];
      for (int i = 0; i < u.length; i++) {
        expected[i] = (float) (u[i] + 4.5 * ((double) c[i] - u[i]));
      }
      int before = m.getManagedArrays().size();
      NDArray guided = Guidance.combine(uncond, cond, 4.5f);
      assertThat(guided.getManager()).isSameAs(m);
      assertThat(m.getManagedArrays()).hasSize(before + 1);
      Parity.assertAllClose(guided.toFloatArray(), expected, 1e-5, 1e-6);
      Parity.assertAllClose(Guidance.combine(uncond, cond, 1f).toFloatArray(), c, 1e-6, 0);
      Parity.assertAllClose(Guidance.combine(uncond, cond, 0f).toFloatArray(), u, 0, 0);
    }
  }

  @Test
  void guidanceIsOnOnlyAboveOne() {
    assertThat(Guidance.enabled(4.5f)).isTrue();
    assertThat(Guidance.enabled(1f)).isFalse();
    assertThat(Guidance.enabled(0f)).isFalse();
  }

  @Test
  void doublingStacksUncondFirstAndSplitsBack() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.arange(6f).reshape(3, 2); // (B, 2)
      NDArray twice = Guidance.doubled(x); // (2B, 2)
      assertThat(twice.toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5);

      NDArray empty = m.create(new long[] {7, 8}, new Shape(1, 2)); // (1, L) negative mask
      NDArray masks = m.create(new long[] {1, 1, 1, 0, 0, 0}, new Shape(3, 2)); // (B, L)
      NDArray stacked = Guidance.doubled(empty, masks); // (2B, L)
      assertThat(stacked.getShape()).isEqualTo(new Shape(6, 2));
      assertThat(stacked.getDataType()).isEqualTo(DataType.INT64);
      assertThat(stacked.toLongArray()).containsExactly(7, 8, 7, 8, 7, 8, 1, 1, 1, 0, 0, 0);

      Guidance.Halves h = Guidance.halves(stacked);
      assertThat(h.uncond().toLongArray()).containsExactly(7, 8, 7, 8, 7, 8);
      assertThat(h.cond().toLongArray()).containsExactly(1, 1, 1, 0, 0, 0);
      assertThat(h.cond().getManager()).isSameAs(m);

      NDArray full = Guidance.doubled(masks, masks);
      assertThat(full.toLongArray()).containsExactly(1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0);
    }
  }

  @Test
  void badBatchesAreRejected() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray three = m.zeros(new Shape(3, 2));
      NDArray two = m.zeros(new Shape(2, 2));
      assertThatThrownBy(() -> Guidance.halves(three))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("even batch");
      assertThatThrownBy(() -> Guidance.doubled(two, three))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("or have batch 1");
      assertThatThrownBy(() -> Guidance.doubled(m.zeros(new Shape(1, 3)), two))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Guidance.combine(two, three, 2f))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("shape");
      assertThatThrownBy(() -> Guidance.combine(two, two, Float.NaN))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void oneForwardOnTheDoubledBatchEqualsTwoSeparateForwards() {
    try (PixArtTransformer model =
            PixArtTransformer.load(
                Fixtures.tinyModel().resolve("transformer"),
                Device.cpu(),
                DataType.FLOAT32,
                NdArrayKernels.INSTANCE);
        NDManager m = NDManager.newBaseManager()) {
      String in = "components/transformer/main/";
      NDArray latents = Fixtures.array(m, in + "latents.npy"); // (2, 4, 16, 16)
      NDArray timestep = Fixtures.array(m, in + "timestep.npy"); // (2)
      NDArray resolution = Fixtures.array(m, in + "resolution.npy"); // (2, 2)
      NDArray aspect = Fixtures.array(m, in + "aspect_ratio.npy"); // (2, 1)
      // Captions from the T5 fixture: row 0 plays the negative prompt, rows 1..2 the prompts.
      NDList captions =
          Fixtures.array(m, "components/t5/last_hidden_state.npy")
              .split(new long[] {1}, 0); // (1, 120, 32), (2, 120, 32)
      NDList masks =
          Fixtures.array(m, "components/t5/attention_mask.npy")
              .split(new long[] {1}, 0); // (1, 120), (2, 120)
      NDArray uncondCaption = captions.get(0);
      NDArray condCaptions = captions.get(1);
      NDArray uncondMask = masks.get(0);
      NDArray condMasks = masks.get(1);

      NDArray separateUncond =
          model.forward(
              latents,
              timestep,
              new Conditions(
                  uncondCaption.concat(uncondCaption, 0),
                  uncondMask.concat(uncondMask, 0),
                  resolution,
                  aspect)); // (2, 8, 16, 16)
      NDArray separateCond =
          model.forward(
              latents,
              timestep,
              new Conditions(condCaptions, condMasks, resolution, aspect)); // (2, 8, 16, 16)

      NDArray together =
          model.forward(
              Guidance.doubled(latents),
              Guidance.doubled(timestep),
              new Conditions(
                  Guidance.doubled(uncondCaption, condCaptions),
                  Guidance.doubled(uncondMask, condMasks),
                  Guidance.doubled(resolution),
                  Guidance.doubled(aspect))); // (4, 8, 16, 16)
      Guidance.Halves halves = Guidance.halves(together);

      assertThat(halves.uncond().getShape()).isEqualTo(separateUncond.getShape());
      assertSame(halves.uncond(), separateUncond);
      assertSame(halves.cond(), separateCond);
      assertSame(
          Guidance.combineDoubled(together, 4.5f),
          Guidance.combine(separateUncond, separateCond, 4.5f));
      // The prompts differ, so guidance really changes the prediction.
      assertThat(Parity.relativeL2(separateCond.toFloatArray(), separateUncond.toFloatArray()))
          .isGreaterThan(1e-3);
    }
  }

  private static void assertSame(NDArray actual, NDArray expected) {
    float[] a = actual.toFloatArray();
    float[] e = expected.toFloatArray();
    assertThat(Parity.relativeL2(a, e)).isLessThan(1e-5);
    double maxAbs = 0;
    for (float v : e) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    Parity.assertAllClose(a, e, 1e-5 * Math.max(1, maxAbs), 1e-5);
  }
}
