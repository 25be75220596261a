package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The VAE with whole-block TorchScript calls (what {@link TorchScriptKernels} selects) on the CPU:
 * chunked attention, other shapes against the op-by-op path, half precision and leaks. The fixture
 * comparison on the test device (GPU included) is {@link AutoencoderKlBlockScriptParityTest}.
 */
class AutoencoderKlBlockScriptTest {
  private static TorchScriptKernels kernels;
  private static AutoencoderKl vae;

  @BeforeAll
  static void load() {
    kernels = TorchScriptKernels.load(Device.cpu());
    vae = AutoencoderKl.load(Fixtures.path("model/vae"), Device.cpu(), DataType.FLOAT32, kernels);
  }

  @AfterAll
  static void close() {
    vae.close();
    kernels.close();
  }

  @Test
  void torchScriptKernelsSelectWholeBlockScriptsAndOthersDoNot() {
    assertThat(vae.usesBlockScripts()).isTrue();
    try (AutoencoderKl plain =
        AutoencoderKl.load(
            Fixtures.path("model/vae"), Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE)) {
      assertThat(plain.usesBlockScripts()).isFalse();
    }
  }

  @Test
  void chunkedMidAttentionGivesTheSameImage() {
    // 16×16 latents = 256 tokens: chunks of 100 rows exercise an uneven split inside the script.
    try (AutoencoderKl chunked =
            AutoencoderKl.load(
                Fixtures.path("model/vae"), Device.cpu(), DataType.FLOAT32, kernels, 100);
        NDManager m = NDManager.newBaseManager()) {
      NDArray z = Fixtures.array(m, VaeFixtures.DECODE + "/decoder_input.npy");
      VaeFixtures.assertMatches(VaeFixtures.DECODE, "image", chunked.decode(z));
    }
  }

  @Test
  void matchesTheOpByOpPathOnOtherShapes() {
    // Independent of the fixtures' 16×16 latents: a non-square batch of 3 through both paths.
    try (AutoencoderKl plain =
            AutoencoderKl.load(
                Fixtures.path("model/vae"),
                Device.cpu(),
                DataType.FLOAT32,
                NdArrayKernels.INSTANCE);
        NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(11);
      NDArray z = m.randomNormal(new Shape(3, 4, 6, 10)).mul(5f); // (B, L, h, w)
      NDArray expected = plain.decode(z); // (3, 3, 48, 80)
      NDArray actual = vae.decode(z);
      assertThat(actual.getShape()).isEqualTo(new Shape(3, 3, 48, 80));
      Parity.assertAllClose(actual, expected, 1e-4, 1e-4);
      NDArray image = m.randomUniform(-1f, 1f, new Shape(2, 3, 40, 24)); // (B, 3, H, W)
      Parity.assertAllClose(vae.encode(image).mean(), plain.encode(image).mean(), 1e-4, 1e-4);
    }
  }

  @Test
  void decodeAndEncodeRunInHalfPrecision() {
    // fp16 parameters as on a GPU; the manifest's tolerances assume fp32, hence relative L2.
    try (AutoencoderKl half =
            AutoencoderKl.load(
                Fixtures.path("model/vae"), Device.cpu(), DataType.FLOAT16, kernels);
        NDManager m = NDManager.newBaseManager()) {
      NDArray image = half.decode(Fixtures.array(m, VaeFixtures.DECODE + "/decoder_input.npy"));
      assertThat(image.getDataType()).isEqualTo(DataType.FLOAT16);
      NDArray expected = Fixtures.array(m, VaeFixtures.DECODE + "/image.npy");
      float[] actual = image.toType(DataType.FLOAT32, false).toFloatArray();
      assertThat(Parity.relativeL2(actual, expected.toFloatArray())).isLessThan(1e-2);
      LatentDist dist = half.encode(Fixtures.array(m, VaeFixtures.ENCODE + "/image.npy"));
      assertThat(dist.mean().getDataType()).isEqualTo(DataType.FLOAT16);
      NDArray mean = Fixtures.array(m, VaeFixtures.ENCODE + "/mean.npy");
      float[] actualMean = dist.mean().toType(DataType.FLOAT32, false).toFloatArray();
      assertThat(Parity.relativeL2(actualMean, mean.toFloatArray())).isLessThan(1e-2);
    }
  }

  @Test
  void repeatedDecodesAndEncodesLeaveNothingBehind() {
    // The weights manager is capped: a scripted result attached to it would throw.
    try (AutoencoderKl small =
            AutoencoderKl.load(
                Fixtures.path("model/vae"), Device.cpu(), DataType.FLOAT32, kernels, 10);
        NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      NDArray z = m.randomNormal(new Shape(2, 4, 8, 8)); // (B, L, h, w)
      NDArray image = m.randomUniform(-1f, 1f, new Shape(1, 3, 64, 64)); // (B, 3, H, W)
      int weights = small.weightsManager().getManagedArrays().size();
      int arrays = m.getManagedArrays().size();
      String managerState = m.toString();
      for (int i = 0; i < 10; i++) {
        small.decode(z, i % 2 == 0 ? 2 : 1).close();
        assertThat(m.getManagedArrays()).as("arrays after decode %d", i).hasSize(arrays);
        assertThat(m.toString()).as("sub-managers after decode %d", i).isEqualTo(managerState);
      }
      for (int i = 0; i < 3; i++) {
        LatentDist dist = small.encode(image);
        dist.mean().close();
        dist.logvar().close();
        dist.std().close();
        assertThat(m.getManagedArrays()).as("arrays after encode %d", i).hasSize(arrays);
        assertThat(m.toString()).as("sub-managers after encode %d", i).isEqualTo(managerState);
      }
      assertThat(small.weightsManager().getManagedArrays()).hasSize(weights);
    }
  }

  @Test
  void decoderHoldsOnlyTheCurrentActivationBetweenBlocks() {
    try (NDManager m = NDManager.newBaseManager()) {
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
