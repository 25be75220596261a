package io.pixartdelta.pixart.controlnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.transformer.Conditions;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import org.junit.jupiter.api.Test;

/**
 * The same code with fp16 parameters (as on a GPU), loaded from the .pth so the split tensors are
 * converted too: the output stays fp16 and close to the fp32 reference. The manifest's tolerances
 * assume fp32, so this uses its own relative-L2 bound.
 */
class ControlNetHalfPrecisionTest {

  @Test
  void runsInHalfPrecisionAndRefusesMixedPrecision() {
    PixArtConfig config =
        PixArtConfig.fromJson(ControlNetFixture.transformerDir().resolve("config.json"));
    try (OriginalControlNetCheckpoint pth =
            OriginalControlNetCheckpoint.open(ControlNetFixture.originalLayoutPth());
        PixArtTransformer base =
            pth.loadBaseTransformer(
                config, Device.cpu(), DataType.FLOAT16, NdArrayKernels.INSTANCE);
        ControlNetAdapter adapter =
            pth.loadAdapter(config, Device.cpu(), DataType.FLOAT16, NdArrayKernels.INSTANCE);
        ControlNetAdapter single =
            pth.loadAdapter(config, Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(adapter.dataType()).isEqualTo(DataType.FLOAT16);
      for (NDArray w : adapter.weights().all().values()) {
        assertThat(w.getDataType()).as(w.getName()).isEqualTo(DataType.FLOAT16);
      }
      PixArtControlNetTransformer model = new PixArtControlNetTransformer(base, adapter);
      NDList in = ControlNetFixture.forward().inputs(m); // fp32 inputs are converted
      NDArray out =
          model.forward(
              in.get(0),
              in.get(1),
              new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)),
              in.get(6),
              1f);
      assertThat(out.getDataType()).isEqualTo(DataType.FLOAT16);
      NDArray expected = Fixtures.array(m, "controlnet/forward/output.npy");
      float[] actual = out.toType(DataType.FLOAT32, false).toFloatArray();
      assertThat(Parity.relativeL2(actual, expected.toFloatArray())).isLessThan(1e-2);

      assertThatThrownBy(() -> new PixArtControlNetTransformer(base, single))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("float32")
          .hasMessageContaining("float16");
    }
  }
}
