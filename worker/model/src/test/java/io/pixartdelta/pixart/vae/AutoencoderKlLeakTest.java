package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoencoderKlLeakTest {

  @Test
  void repeatedDecodesAndEncodesLeaveNothingBehind() {
    // The weights manager is capped by the loader: any op attaching to it would throw here.
    // Small query chunks and sub-batches run every scope path; latents are 8×8 to stay quick.
    try (AutoencoderKl vae =
            AutoencoderKl.load(
                Fixtures.path("model/vae"),
                Device.cpu(),
                DataType.FLOAT32,
                NdArrayKernels.INSTANCE,
                10);
        NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      NDArray z = m.randomNormal(new Shape(2, 4, 8, 8)); // (B, L, h, w)
      NDArray image = m.randomUniform(-1f, 1f, new Shape(1, 3, 64, 64)); // (B, 3, H, W)
      NDArray noise = m.randomNormal(new Shape(1, 4, 8, 8));
      int weights = vae.weightsManager().getManagedArrays().size();
      int arrays = m.getManagedArrays().size();
      String managerState = m.toString(); // includes the count of attached resources
      for (int i = 0; i < 20; i++) {
        NDArray out = vae.decode(z, i % 2 == 0 ? 2 : 1); // (B, 3, 64, 64)
        assertThat(out.getShape()).isEqualTo(new Shape(2, 3, 64, 64));
        out.close();
        assertThat(m.getManagedArrays()).as("arrays after decode %d", i).hasSize(arrays);
        assertThat(m.toString()).as("sub-managers after decode %d", i).isEqualTo(managerState);
      }
      for (int i = 0; i < 3; i++) {
        LatentDist dist = vae.encode(image);
        NDArray sample = dist.sample(noise);
        sample.close();
        dist.mean().close();
        dist.logvar().close();
        dist.std().close();
        assertThat(m.getManagedArrays()).as("arrays after encode %d", i).hasSize(arrays);
        assertThat(m.toString()).as("sub-managers after encode %d", i).isEqualTo(managerState);
      }
      assertThat(vae.weightsManager().getManagedArrays()).hasSize(weights);
    }
  }

  @Test
  void decoderHoldsOnlyTheCurrentActivationBetweenBlocks() {
    // Counted at every decoder tap: live arrays under the caller's manager (sub-managers
    // included) must not grow with depth, i.e. each block's input is freed once it has run.
    try (AutoencoderKl vae =
            AutoencoderKl.load(
                Fixtures.path("model/vae"),
                Device.cpu(),
                DataType.FLOAT32,
                NdArrayKernels.INSTANCE);
        NDManager m = NDManager.newBaseManager()) {
      NDArray z = m.zeros(new Shape(1, 4, 8, 8));
      Map<String, Integer> live = new LinkedHashMap<>();
      vae.decode(z, 1, (name, value) -> live.put(name, m.getManagedArrays().size()));
      assertThat(live).containsKeys("decoder.conv_in", "decoder.mid_block", "decoder.up_blocks.3");
      int atConvIn = live.get("decoder.conv_in");
      live.forEach(
          (name, count) -> {
            if (name.startsWith("decoder.")) {
              assertThat(count).as(name).isEqualTo(atConvIn);
            }
          });
    }
  }
}
