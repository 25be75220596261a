package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.TestDevice;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The VAE as GPUs run it, whole-block TorchScript calls (the transposed-convolution up-samplers and
 * the block scripts' own GroupNorm), on the test device against the reference fixtures,
 * intermediates included. {@link AutoencoderKlDecodeTest} covers the op-by-op path.
 */
@Tag("parity")
class AutoencoderKlBlockScriptParityTest {
  private static TorchScriptKernels kernels;
  private static AutoencoderKl vae;

  @BeforeAll
  static void load() {
    kernels = TorchScriptKernels.load(TestDevice.device());
    vae =
        AutoencoderKl.load(
            Fixtures.path("model/vae"), TestDevice.device(), TestDevice.dtype(), kernels);
    assertThat(vae.usesBlockScripts()).isTrue();
  }

  @AfterAll
  static void close() {
    vae.close();
    kernels.close();
  }

  @Test
  void decodesTheFixtureLatentsWithEveryIntermediate() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray z = Fixtures.array(m, VaeFixtures.DECODE + "/decoder_input.npy");
      VaeFixtures.Recorder tap = new VaeFixtures.Recorder();
      NDArray image = vae.decode(z, Integer.MAX_VALUE, tap);
      assertThat(image.getManager()).isSameAs(m);
      for (String name :
          List.of(
              "post_quant_conv",
              "decoder.conv_in",
              "decoder.mid_block",
              "decoder.up_blocks.0",
              "decoder.up_blocks.1",
              "decoder.up_blocks.2",
              "decoder.up_blocks.3")) {
        if (VaeFixtures.caseOf(VaeFixtures.DECODE).path("intermediates").has(name)) {
          tap.assertMatches(VaeFixtures.DECODE, name);
        }
      }
      VaeFixtures.assertMatches(VaeFixtures.DECODE, "image", image);
    }
  }

  @Test
  void encodesTheFixtureImageWithEveryIntermediate() {
    try (NDManager m = TestDevice.newManager()) {
      NDArray image = Fixtures.array(m, VaeFixtures.ENCODE + "/image.npy");
      VaeFixtures.Recorder tap = new VaeFixtures.Recorder();
      LatentDist dist = vae.encode(image, Integer.MAX_VALUE, tap);
      for (String name :
          List.of(
              "encoder.down_blocks.0",
              "encoder.down_blocks.1",
              "encoder.down_blocks.2",
              "encoder.down_blocks.3",
              "encoder.mid_block",
              "encoder.conv_out",
              "quant_conv")) {
        tap.assertMatches(VaeFixtures.ENCODE, name);
      }
      VaeFixtures.assertMatches(VaeFixtures.ENCODE, "mean", dist.mean());
      VaeFixtures.assertMatches(VaeFixtures.ENCODE, "logvar", dist.logvar());
      VaeFixtures.assertMatches(VaeFixtures.ENCODE, "std", dist.std());
    }
  }
}
