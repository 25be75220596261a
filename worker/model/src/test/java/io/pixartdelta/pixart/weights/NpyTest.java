package io.pixartdelta.pixart.weights;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

  @Test
  void readsFloatAndIntegerFixtures() {
    Npy.Array timesteps = Fixtures.npy("components/scheduler/timesteps_4.npy");
    assertThat(timesteps.toLongArray()).containsExactly(999, 759, 499, 259);
    Npy.Array latents = Fixtures.npy("rng/seed0_1x4x16x16.npy");
    assertThat(latents.shape()).isEqualTo(new Shape(1, 4, 16, 16));
  }

  @Test
  void writeThenReadRoundTrips(@TempDir Path dir) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.arange(24f).reshape(2, 3, 4);
      Path p = dir.resolve("a.npy");
      Npy.write(p, a);
      Npy.Array back = Npy.read(p);
      assertThat(back.shape()).isEqualTo(new Shape(2, 3, 4));
      assertThat(back.toFloatArray()).containsExactly(a.toFloatArray());
    }
  }

  @Test
  void float16FixturesDecodeSpecialValues() {
    // 0x7C00 = +inf, 0xFC00 = -inf, 0x0001 = smallest subnormal, 0x8000 = -0.
    assertThat(Float16.toFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Float16.toFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(Float16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(Float.floatToIntBits(Float16.toFloat((short) 0x8000))).isEqualTo(0x80000000);
    assertThat(Float16.toFloat((short) 0x7BFF)).isEqualTo(65504f);
    assertThat(Float.isNaN(Float16.toFloat((short) 0x7E00))).isTrue();
  }
}
