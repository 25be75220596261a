package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.TestDevice;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class AutoencoderKlDecodeTest {
  private static final String DIR = VaeFixtures.DECODE + "/";
  private static AutoencoderKl vae;

  @BeforeAll
  static void load() {
    vae =
        AutoencoderKl.load(
            Fixtures.path("model/vae"),
            TestDevice.device(),
            TestDevice.dtype(),
            NdArrayKernels.INSTANCE);
  }

  @AfterAll
  static void close() {
    vae.close();
  }

  @Test
  @Tag("parity")
  void decodesTheFixtureLatentsWithEveryIntermediate() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray z = Fixtures.array(m, DIR + "decoder_input.npy");
      VaeFixtures.Recorder tap = new VaeFixtures.Recorder();
      NDArray image = vae.decode(z, Integer.MAX_VALUE, tap);
      assertThat(image.getManager()).isSameAs(m);
      for (String name :
          List.of(
              "post_quant_conv", "decoder.conv_in", "decoder.mid_block", "decoder.up_blocks.0")) {
        tap.assertMatches(VaeFixtures.DECODE, name);
      }
      VaeFixtures.assertMatches(VaeFixtures.DECODE, "image", image);
    }
  }

  @Test
  @Tag("parity")
  void chunkedMidAttentionGivesTheSameImage() {
    // 16×16 latents = 256 tokens: chunks of 100 rows exercise an uneven split.
    try (AutoencoderKl chunked =
            AutoencoderKl.load(
                Fixtures.path("model/vae"),
                TestDevice.device(),
                TestDevice.dtype(),
                NdArrayKernels.INSTANCE,
                100);
        NDManager m = TestDevice.newManager()) {
      NDArray z = Fixtures.array(m, DIR + "decoder_input.npy");
      VaeFixtures.assertMatches(VaeFixtures.DECODE, "image", chunked.decode(z));
    }
  }

  @Test
  void subBatchesGiveTheSameImageAsOneBatch() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray z = Fixtures.array(m, DIR + "decoder_input.npy");
      NDArray whole = vae.decode(z);
      NDArray oneByOne = vae.decode(z, 1);
      assertThat(oneByOne.getShape()).isEqualTo(whole.getShape());
      Parity.assertAllClose(oneByOne, whole, 1e-5, 1e-5);
    }
  }

  @Test
  void scalingFactorReproducesTheReferenceDecoderInput() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray latents = Fixtures.array(m, DIR + "latents.npy");
      NDArray expected = Fixtures.array(m, DIR + "decoder_input.npy");
      assertThat(vae.scalingFactor()).isEqualTo(0.18215f);
      Parity.assertAllClose(latents.div(vae.scalingFactor()), expected, 0, 1e-6);
    }
  }

  @Test
  void badInputsAreRejectedBeforeAnyWork() {
    try (NDManager m = TestDevice.newManager()) {
      assertThatThrownBy(() -> vae.decode(m.zeros(new Shape(1, 3, 8, 8))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(B, 4, H, W)");
      assertThatThrownBy(() -> vae.decode(m.zeros(new Shape(4, 8, 8))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> vae.decode(m.zeros(new Shape(2, 4, 8, 8)), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxBatch");
      assertThatThrownBy(() -> vae.encode(m.zeros(new Shape(1, 4, 64, 64))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(B, 3, H, W)");
      assertThat(m.getManagedArrays()).hasSize(4);
    }
  }
}
