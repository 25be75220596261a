package io.pixartdelta.pixart.nn.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PixArtBlockScriptTest {
  private static final String CASE = "components/transformer/main/";

  /** Tiny transformer config (fixtures/model/transformer/config.json): 2 heads × 24, eps 1e-6. */
  private static final int HEADS = 2;

  private static final float EPS = 1e-6f;

  private static PixArtBlockScript block;

  @BeforeAll
  static void load() {
    block = PixArtBlockScript.load(Device.cpu());
  }

  @AfterAll
  static void unload() {
    block.close();
  }

  /**
   * Block l of the reference transformer on its own recorded input reproduces its recorded output:
   * input of block 0 = pos_embed, of block l = output of block l−1; mod = adaln_single's
   * timestep_mod; captions = caption_projection; bias from the caption mask.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void reproducesTheReferenceBlocks(int layer) {
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile file =
            SafetensorsFile.open(
                Fixtures.tinyModel().resolve("transformer/diffusion_pytorch_model.safetensors"))) {
      List<NDArray> params = new ArrayList<>();
      for (String name : PixArtBlockScript.PARAMETERS) {
        params.add(file.load("transformer_blocks." + layer + "." + name, m, DataType.FLOAT32));
      }
      String in = layer == 0 ? "pos_embed" : "transformer_blocks." + (layer - 1);
      NDArray x = Fixtures.array(m, CASE + "intermediates/" + in + ".npy"); // (2, 64, 48)
      NDArray mod = Fixtures.array(m, CASE + "intermediates/adaln_single.timestep_mod.npy");
      NDArray y = Fixtures.array(m, CASE + "intermediates/caption_projection.npy"); // (2, 120, 48)
      NDArray mask = Fixtures.array(m, CASE + "encoder_attention_mask.npy"); // (2, 120) int64
      NDArray bias =
          mask.toType(DataType.FLOAT32, false).neg().add(1f).mul(-10000f).reshape(2, 1, 1, 120);

      NDArray out = block.forward(x, mod, y, bias, HEADS, EPS, params);

      NDArray expected =
          Fixtures.array(m, CASE + "intermediates/transformer_blocks." + layer + ".npy");
      float scale = expected.abs().max().getFloat();
      // manifest: atol 1e-4 scaled by max(1, max|expected|), rtol 1e-4
      Parity.assertAllClose(out, expected, 1e-4 * Math.max(1, scale), 1e-4);
      assertThat(Parity.relativeL2(out.toFloatArray(), expected.toFloatArray())).isLessThan(1e-5);
      // the op-by-op reference used below on random weights passes the same check
      NDArray composed =
          ComposedPixArtBlock.forward(NdArrayKernels.INSTANCE, x, mod, y, bias, HEADS, EPS, params);
      Parity.assertAllClose(composed, expected, 1e-4 * Math.max(1, scale), 1e-4);
    }
  }

  /** Random tiny weights, non-square caption length, batch 3: fused equals op-by-op composition. */
  @Test
  void matchesTheOpByOpCompositionOnRandomWeights() {
    try (NDManager weights = NDManager.newBaseManager();
        NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      int d = 32;
      int heads = 4;
      List<NDArray> params = randomParams(weights, d, 4 * d);
      weights.cap();
      NDArray x = m.randomNormal(new Shape(3, 10, d));
      NDArray mod = m.randomNormal(new Shape(3, 6L * d)).mul(0.5f);
      NDArray y = m.randomNormal(new Shape(3, 7, d));
      NDArray bias = m.zeros(new Shape(3, 1, 1, 7));
      bias.set(new ai.djl.ndarray.index.NDIndex("1, :, :, 4:"), -10000f);

      NDArray fused = block.forward(x, mod, y, bias, heads, EPS, params);
      NDArray plain =
          ComposedPixArtBlock.forward(NdArrayKernels.INSTANCE, x, mod, y, bias, heads, EPS, params);

      assertThat(fused.getManager()).isSameAs(m);
      float scale = plain.abs().max().getFloat();
      Parity.assertAllClose(fused, plain, 1e-5 * Math.max(1, scale), 1e-5);
    }
  }

  /** The same method runs in fp16 (weights and activations), as it will on a GPU. */
  @Test
  void runsInHalfPrecisionCloseToFp32() {
    try (NDManager weights = NDManager.newBaseManager();
        NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(11);
      List<NDArray> params = randomParams(weights, 32, 128);
      List<NDArray> halfParams = new ArrayList<>();
      for (NDArray p : params) {
        halfParams.add(p.toType(DataType.FLOAT16, true));
      }
      weights.cap();
      NDArray x = m.randomNormal(new Shape(2, 12, 32));
      NDArray mod = m.randomNormal(new Shape(2, 6 * 32)).mul(0.5f);
      NDArray y = m.randomNormal(new Shape(2, 5, 32));
      NDArray bias = m.zeros(new Shape(2, 1, 1, 5));

      NDArray full = block.forward(x, mod, y, bias, 4, EPS, params);
      NDArray half =
          block.forward(
              x.toType(DataType.FLOAT16, false),
              mod.toType(DataType.FLOAT16, false),
              y.toType(DataType.FLOAT16, false),
              bias,
              4,
              EPS,
              halfParams);

      assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
      float scale = full.abs().max().getFloat();
      Parity.assertAllClose(half, full, 1e-2 * Math.max(1, scale), 1e-2);
    }
  }

  @Test
  void rejectsAWrongParameterCount() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.zeros(new Shape(1, 2, 4));
      assertThatThrownBy(() -> block.forward(x, x, x, x, 1, EPS, List.of(x)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 21");
    }
  }

  /** Shapes as in diffusers: Linear weights (out, in); scale_shift_table (6, D). */
  static List<NDArray> randomParams(NDManager m, int d, int ff) {
    List<NDArray> p = new ArrayList<>();
    float s = (float) (1 / Math.sqrt(d));
    p.add(m.randomNormal(new Shape(6, d)).mul(0.3f));
    for (int i = 0; i < 8; i++) { // attn1 and attn2: q, k, v, out
      p.add(m.randomNormal(new Shape(d, d)).mul(s));
      p.add(m.randomNormal(new Shape(d)).mul(0.1f));
    }
    p.add(m.randomNormal(new Shape(ff, d)).mul(s));
    p.add(m.randomNormal(new Shape(ff)).mul(0.1f));
    p.add(m.randomNormal(new Shape(d, ff)).mul((float) (1 / Math.sqrt(ff))));
    p.add(m.randomNormal(new Shape(d)).mul(0.1f));
    return p;
  }
}
