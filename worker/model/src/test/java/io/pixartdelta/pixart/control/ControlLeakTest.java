package io.pixartdelta.pixart.control;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.random.TorchGenerator;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlLeakTest {

  @Test
  void repeatedDetectionAndEncodingLeaveNothingBehind(@TempDir Path dir) throws IOException {
    // Both weight managers are capped by the loader: an op attaching to them would throw here.
    Path file = TinyHedWriter.write(dir.resolve("hed.safetensors"), 1);
    try (AutoencoderKl vae =
            AutoencoderKl.load(
                Fixtures.tinyModel().resolve("vae"),
                Device.cpu(),
                DataType.FLOAT32,
                NdArrayKernels.INSTANCE);
        HedDetector hed = HedDetector.load(file, Device.cpu(), DataType.FLOAT32);
        NDManager m = NDManager.newBaseManager()) {
      ControlEncoder encoder = new ControlEncoder(vae, hed, CannyEdges.withDefaults());
      m.getEngine().setRandomSeed(9);
      NDArray image = m.randomUniform(0f, 1f, new Shape(2, 3, 48, 40)); // (B, 3, H, W)
      NDArray half = image.toType(DataType.FLOAT16, false); // exercises the dtype moves
      int weights = hed.weightsManager().getManagedArrays().size();
      int arrays = m.getManagedArrays().size();
      String managerState = m.toString(); // includes the count of attached resources
      for (int i = 0; i < 4; i++) {
        for (ControlMapKind type : ControlMapKind.values()) {
          List<TorchGenerator> generators =
              i % 2 == 0 ? null : List.of(new TorchGenerator(i), new TorchGenerator(i + 1));
          NDArray latent = encoder.encode(i == 3 ? half : image, type, generators);
          assertThat(latent.getShape()).isEqualTo(new Shape(2, 4, 6, 5));
          latent.close();
          assertThat(m.getManagedArrays()).as("arrays after %s %d", type, i).hasSize(arrays);
          assertThat(m.toString()).as("sub-managers after %s %d", type, i).isEqualTo(managerState);
        }
        NDArray edges = hed.detect(image);
        edges.close();
        assertThat(m.getManagedArrays()).as("arrays after detect %d", i).hasSize(arrays);
      }
      assertThat(hed.weightsManager().getManagedArrays()).hasSize(weights);
    }
  }
}
