package io.pixartdelta.pixart.vae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import org.junit.jupiter.api.Test;

/**
 * The same code with fp16 parameters (as on a GPU): outputs stay fp16 and close to the fp32
 * reference. The manifest's tolerances assume fp32, so this uses its own relative-L2 bound.
 */
class AutoencoderKlHalfPrecisionTest {

  @Test
  void decodeAndEncodeRunInHalfPrecision() {
    try (AutoencoderKl vae =
            AutoencoderKl.load(
                Fixtures.path("model/vae"),
                Device.cpu(),
                DataType.FLOAT16,
                NdArrayKernels.INSTANCE);
        NDManager m = NDManager.newBaseManager()) {
      NDArray z = Fixtures.array(m, VaeFixtures.DECODE + "/decoder_input.npy"); // fp32 input
      NDArray image = vae.decode(z);
      assertThat(image.getDataType()).isEqualTo(DataType.FLOAT16);
      NDArray expected = Fixtures.array(m, VaeFixtures.DECODE + "/image.npy");
      float[] actual = image.toType(DataType.FLOAT32, false).toFloatArray();
      assertThat(Parity.relativeL2(actual, expected.toFloatArray())).isLessThan(1e-2);

      LatentDist dist = vae.encode(Fixtures.array(m, VaeFixtures.ENCODE + "/image.npy"));
      NDArray mean = Fixtures.array(m, VaeFixtures.ENCODE + "/mean.npy");
      assertThat(dist.mean().getDataType()).isEqualTo(DataType.FLOAT16);
      float[] actualMean = dist.mean().toType(DataType.FLOAT32, false).toFloatArray();
      assertThat(Parity.relativeL2(actualMean, mean.toFloatArray())).isLessThan(1e-2);
      NDArray noise = m.zeros(mean.getShape()); // fp32 noise is converted
      assertThat(dist.sample(noise).getDataType()).isEqualTo(DataType.FLOAT16);
    }
  }
}
