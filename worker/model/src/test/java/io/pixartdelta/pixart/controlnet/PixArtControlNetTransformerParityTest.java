package io.pixartdelta.pixart.controlnet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.TestDevice;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.transformer.Conditions;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import io.pixartdelta.pixart.weights.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tiny ControlNet-Transformer against the reference ({@code controlnet/forward}): every
 * recorded intermediate and the output, with the adapter loaded from the diffusers folder and from
 * the original-layout .pth (whose base weights also replace the safetensors transformer).
 */
class PixArtControlNetTransformerParityTest {

  /** Where the adapter and base weights come from. */
  enum Form {
    /** {@code controlnet/adapter/} + {@code model/transformer/}. */
    ADAPTER_FOLDER,
    /** Both from {@code controlnet/original_layout.pth}. */
    ORIGINAL_PTH
  }

  private static PixArtConfig config;
  private static PixArtTransformer safetensorsBase;
  private static ControlNetAdapter folderAdapter;
  private static PixArtTransformer pthBase;
  private static ControlNetAdapter pthAdapter;

  @BeforeAll
  static void load() {
    config = PixArtConfig.fromJson(ControlNetFixture.transformerDir().resolve("config.json"));
    safetensorsBase =
        PixArtTransformer.load(
            ControlNetFixture.transformerDir(),
            TestDevice.device(),
            TestDevice.dtype(),
            NdArrayKernels.INSTANCE);
    folderAdapter =
        ControlNetAdapter.load(
            ControlNetFixture.adapterDir(),
            config,
            TestDevice.device(),
            TestDevice.dtype(),
            NdArrayKernels.INSTANCE);
    try (OriginalControlNetCheckpoint pth =
        OriginalControlNetCheckpoint.open(ControlNetFixture.originalLayoutPth())) {
      pthAdapter =
          pth.loadAdapter(config, TestDevice.device(), TestDevice.dtype(), NdArrayKernels.INSTANCE);
      pthBase =
          pth.loadBaseTransformer(
              config, TestDevice.device(), TestDevice.dtype(), NdArrayKernels.INSTANCE);
    }
  }

  @AfterAll
  static void close() {
    safetensorsBase.close();
    folderAdapter.close();
    pthBase.close();
    pthAdapter.close();
  }

  private static PixArtControlNetTransformer model(Form form) {
    return form == Form.ADAPTER_FOLDER
        ? new PixArtControlNetTransformer(safetensorsBase, folderAdapter)
        : new PixArtControlNetTransformer(pthBase, pthAdapter);
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  @Tag("parity")
  void everyIntermediateAndTheOutputMatchTheReference(Form form) {
    ControlNetFixture f = ControlNetFixture.forward();
    PixArtControlNetTransformer model = model(form);
    assertThat(model.adapter().numLayers()).isEqualTo(2);
    try (NDManager m = TestDevice.newManager()) {
      NDList in = f.inputs(m);
      List<String> probed = new ArrayList<>();
      NDArray out =
          model.forward(
              in.get(0),
              in.get(1),
              new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)),
              in.get(6),
              1f,
              (name, value) -> {
                probed.add(name);
                f.assertMatches(value, name);
              });
      assertThat(probed)
          .as("intermediates reported")
          .containsExactlyInAnyOrderElementsOf(f.intermediateNames());
      assertThat(out.getShape()).isEqualTo(new Shape(2, 8, 16, 16));
      f.assertMatches(out, "output");
      // The public entry point computes the same thing.
      NDArray again =
          model.forward(
              in.get(0),
              in.get(1),
              new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)),
              in.get(6),
              1f);
      assertThat(Parity.hostCopy(again)).containsExactly(Parity.hostCopy(out));
    }
  }

  @Test
  void bothCheckpointFormsHoldIdenticalParameters() {
    assertThat(pthAdapter.config()).isEqualTo(folderAdapter.config());
    assertSameParameters(pthAdapter.weights(), folderAdapter.weights());
    try (SafetensorsFile file =
            SafetensorsFile.open(
                ControlNetFixture.transformerDir().resolve(PixArtTransformer.WEIGHTS_FILE));
        NDManager m = TestDevice.newManager();
        OriginalControlNetCheckpoint pth =
            OriginalControlNetCheckpoint.open(ControlNetFixture.originalLayoutPth())) {
      assertThat(pth.baseTransformerTensors().names())
          .containsExactlyInAnyOrderElementsOf(file.names());
      for (String name : file.names()) {
        NDArray expected = file.load(name, m, DataType.FLOAT32);
        NDArray actual = pth.baseTransformerTensors().load(name, m, DataType.FLOAT32);
        assertThat(actual.getShape()).as(name).isEqualTo(expected.getShape());
        assertThat(actual.toFloatArray()).as(name).containsExactly(expected.toFloatArray());
      }
    }
  }

  private static void assertSameParameters(Weights actual, Weights expected) {
    assertThat(actual.all().keySet()).containsExactlyInAnyOrderElementsOf(expected.all().keySet());
    for (Map.Entry<String, NDArray> e : expected.all().entrySet()) {
      NDArray a = actual.get(e.getKey());
      assertThat(a.getShape()).as(e.getKey()).isEqualTo(e.getValue().getShape());
      assertThat(Parity.hostCopy(a)).as(e.getKey()).containsExactly(Parity.hostCopy(e.getValue()));
    }
  }
}
