package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MidBlockAttentionTest {
  private static final Kernels KERNELS = NdArrayKernels.INSTANCE;

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 16, 63, 64, 1000})
  void chunkedAttentionEqualsUnchunked(int chunk) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(11);
      NDArray q = m.randomNormal(new Shape(2, 1, 64, 16)).mul(2f); // (B, 1, N, C)
      NDArray k = m.randomNormal(new Shape(2, 1, 64, 16)).mul(2f);
      NDArray v = m.randomNormal(new Shape(2, 1, 64, 16));
      float scale = 0.25f;
      NDArray expected = KERNELS.attention(q, k, v, null, scale); // (B, 1, N, C)
      int before = m.getManagedArrays().size();
      NDArray actual = MidBlockAttention.chunkedAttention(KERNELS, q, k, v, scale, chunk);
      Parity.assertAllClose(actual, expected, 1e-6, 1e-5);
      // Only the result is added to the caller's manager; chunk scores are gone.
      org.assertj.core.api.Assertions.assertThat(m.getManagedArrays()).hasSize(before + 1);
    }
  }
}
