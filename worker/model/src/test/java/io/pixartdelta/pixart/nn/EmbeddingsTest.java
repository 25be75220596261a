package io.pixartdelta.pixart.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The sinusoidal embeddings against values of diffusers' {@code get_timestep_embedding} and {@code
 * get_2d_sincos_pos_embed} ({@code models/embeddings.py} @58eb52c) evaluated for the real model's
 * sizes, and invariants.
 */
class EmbeddingsTest {
  private static final int PIXART_DIM = 1152;

  @Test
  void timestepEmbeddingOfTheRealModelMatchesReferenceValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray te = Embeddings.sinusoidal(m.create(new long[] {999, 259}), 256, true, 0f);
      assertThat(te.getShape()).isEqualTo(new Shape(2, 256));
      float[] t999 = te.get(0).toFloatArray();
      float[] t259 = te.get(1).toFloatArray();
      // The reference values have 5 decimals; the float32 argument 999·f_k carries ~6e-5 of
      // rounding.
      assertValues(t999, 0, 0.99965f, 0.96379f, -0.39896f, 0.70484f);
      assertValues(t999, 128, -0.02646f, -0.26668f, -0.91697f, 0.70936f);
      assertValues(t999, 127, 0.99424f);
      assertValues(t999, 255, 0.10715f);
      assertValues(t259, 0, 0.18040f, -0.63369f, -0.33264f, 0.20140f);
      assertValues(t259, 128, 0.98359f, 0.77358f, -0.94305f, 0.97951f);
    }
  }

  @Test
  void timestepEmbeddingIsCosThenSinOfExponentialFrequencies() {
    try (NDManager m = NDManager.newBaseManager()) {
      float t = 37.5f;
      float[] flipped =
          Embeddings.sinusoidal(m.create(new float[] {t}), 8, true, 0f).toFloatArray();
      float[] plain = Embeddings.sinusoidal(m.create(new float[] {t}), 8, false, 1f).toFloatArray();
      for (int k = 0; k < 4; k++) {
        double fFlip = Math.exp(-Math.log(10000) * k / 4.0);
        double fPlain = Math.exp(-Math.log(10000) * k / 3.0);
        assertThat(flipped[k]).isCloseTo((float) Math.cos(t * fFlip), offset(1e-5f));
        assertThat(flipped[4 + k]).isCloseTo((float) Math.sin(t * fFlip), offset(1e-5f));
        assertThat(plain[k]).isCloseTo((float) Math.sin(t * fPlain), offset(1e-5f));
        assertThat(plain[4 + k]).isCloseTo((float) Math.cos(t * fPlain), offset(1e-5f));
      }
    }
  }

  @Test
  void oddWidthGetsAZeroLastColumn() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray te = Embeddings.sinusoidal(m.create(new float[] {3f, 5f}), 7, true, 0f);
      assertThat(te.getShape()).isEqualTo(new Shape(2, 7));
      float[] v = te.toFloatArray();
      assertThat(v[6]).isZero();
      assertThat(v[13]).isZero();
    }
  }

  @Test
  void positionEmbeddingOf1024PixelsMatchesReferenceValues() {
    float[] pe = Embeddings.sinCos2d(64, 64, PIXART_DIM, 64, 2);
    assertThat(pe).hasSize(64 * 64 * PIXART_DIM);
    // Token (row 0, col 1): x = 0.5 in the first half, y = 0 in the second.
    assertChannels(pe, 1, 0, 0.479426f, 0.465556f);
    assertChannels(pe, 1, 288, 0.877583f, 0.885018f);
    assertChannels(pe, 1, 576, 0f, 0f);
    assertChannels(pe, 1, 864, 1f, 1f);
    // Token (row 1, col 0): the halves swap.
    assertChannels(pe, 64, 0, 0f, 0f);
    assertChannels(pe, 64, 288, 1f, 1f);
    assertChannels(pe, 64, 576, 0.479426f, 0.465556f);
    assertChannels(pe, 64, 864, 0.877583f, 0.885018f);
    // Token (63, 63): both halves equal.
    int last = 63 * 64 + 63;
    assertChannels(pe, last, 0, 0.083974f, -0.787887f);
    assertChannels(pe, last, 288, 0.996468f, 0.615820f);
    assertChannels(pe, last, 576, 0.083974f, -0.787887f);
    assertChannels(pe, last, 864, 0.996468f, 0.615820f);
  }

  @Test
  void positionEmbeddingOfANonSquareBinNormalisesEachAxis() {
    // 768×1344 px → 48×84 patches; each axis spans the base grid of 64.
    float[] pe = Embeddings.sinCos2d(48, 84, PIXART_DIM, 64, 2);
    int token = 84 + 1; // (row 1, col 1)
    assertChannels(pe, token, 0, 0.371805f);
    assertChannels(pe, token, 576, 0.618370f);
    float[] x = Embeddings.gridPositions(84, 64, 2);
    float[] y = Embeddings.gridPositions(48, 64, 2);
    assertThat(x[1]).isCloseTo(0.380952f, offset(1e-6f));
    assertThat(y[1]).isCloseTo(0.666667f, offset(1e-6f));
  }

  @Test
  void twoDimensionalEmbeddingIsTheConcatenationOfTheAxisEmbeddings() {
    int gridH = 5;
    int gridW = 7;
    int dim = 24;
    float[] pe = Embeddings.sinCos2d(gridH, gridW, dim, 16, 1.5);
    float[] cols = Embeddings.sinCos1d(Embeddings.gridPositions(gridW, 16, 1.5), dim / 2);
    float[] rows = Embeddings.sinCos1d(Embeddings.gridPositions(gridH, 16, 1.5), dim / 2);
    for (int i = 0; i < gridH; i++) {
      for (int j = 0; j < gridW; j++) {
        for (int c = 0; c < dim / 2; c++) {
          int n = (i * gridW + j) * dim;
          assertThat(pe[n + c]).isEqualTo(cols[j * dim / 2 + c]);
          assertThat(pe[n + dim / 2 + c]).isEqualTo(rows[i * dim / 2 + c]);
        }
      }
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Embeddings.sinCos1d(new float[] {1f}, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dim");
    assertThatThrownBy(() -> Embeddings.gridPositions(0, 64, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length");
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray twoD = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      assertThatThrownBy(() -> Embeddings.sinusoidal(twoD, 8, true, 0f))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1-D");
    }
  }

  private static void assertValues(float[] v, int from, float... expected) {
    for (int i = 0; i < expected.length; i++) {
      assertThat(v[from + i]).as("channel %d", from + i).isCloseTo(expected[i], offset(1e-4f));
    }
  }

  private static void assertChannels(float[] pe, int token, int channel, float... expected) {
    for (int i = 0; i < expected.length; i++) {
      assertThat(pe[token * PIXART_DIM + channel + i])
          .as("token %d channel %d", token, channel + i)
          .isCloseTo(expected[i], offset(2e-6f));
    }
  }
}
