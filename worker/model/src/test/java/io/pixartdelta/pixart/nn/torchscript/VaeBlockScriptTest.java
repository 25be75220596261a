package io.pixartdelta.pixart.nn.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each scripted VAE block, fed the reference's recorded input with the tiny checkpoint's weights
 * (looked up by the documented parameter order), reproduces the reference's recorded output.
 */
class VaeBlockScriptTest {
  private static final String DECODE = "components/vae/decode/intermediates/";
  private static final String ENCODE = "components/vae/encode/intermediates/";

  /**
   * Tiny VAE (fixtures/model/vae/config.json): 4 groups; GroupNorm eps 1e-6 (diffusers' VAE blocks
   * build their GroupNorms with eps 1e-6, {@code models/unets/unet_2d_blocks.py} @58eb52c).
   */
  private static final int GROUPS = 4;

  private static final float EPS = 1e-6f;

  private static VaeBlockScript script;

  @BeforeAll
  static void load() {
    script = VaeBlockScript.load(Device.cpu());
  }

  @AfterAll
  static void unload() {
    script.close();
  }

  @Test
  void compilesEveryBlockMethod() {
    assertThat(script.module().methodNames())
        .contains("up_block", "down_block", "mid_block", "norm_silu_conv");
  }

  @Test
  void midBlockReproducesTheReference() {
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile file = tinyVae()) {
      List<NDArray> p = new ArrayList<>();
      add(file, m, "decoder.mid_block.resnets.0.", VaeBlockScript.RESNET, p);
      add(file, m, "decoder.mid_block.attentions.0.", VaeBlockScript.ATTENTION, p);
      add(file, m, "decoder.mid_block.resnets.1.", VaeBlockScript.RESNET, p);
      NDArray x = Fixtures.array(m, DECODE + "decoder.conv_in.npy"); // (2, 16, 16, 16)
      // 256 tokens in chunks of 100: an uneven split
      NDArray out = script.midBlock(x, GROUPS, EPS, 100, true, p);
      assertThat(out.getManager()).isSameAs(m);
      assertMatches(out, Fixtures.array(m, DECODE + "decoder.mid_block.npy"));
    }
  }

  @Test
  void upBlockWithUpsamplerReproducesTheReference() {
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile file = tinyVae()) {
      List<NDArray> p = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        add(file, m, "decoder.up_blocks.0.resnets." + r + ".", VaeBlockScript.RESNET, p);
      }
      add(file, m, "decoder.up_blocks.0.upsamplers.0.conv.", List.of("weight", "bias"), p);
      p.set(p.size() - 2, script.upsamplerKernel(p.get(p.size() - 2))); // (16, 16, 4, 4)
      NDArray x = Fixtures.array(m, DECODE + "decoder.mid_block.npy"); // (2, 16, 16, 16)
      NDArray out = script.upBlock(x, GROUPS, EPS, 3, false, true, p); // (2, 16, 32, 32)
      assertMatches(out, Fixtures.array(m, DECODE + "decoder.up_blocks.0.npy"));
    }
  }

  @Test
  void downBlockWithShortcutAndDownsamplerReproducesTheReference() {
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile file = tinyVae()) {
      List<NDArray> p = new ArrayList<>();
      add(file, m, "encoder.down_blocks.1.resnets.0.", VaeBlockScript.RESNET, p);
      add(file, m, "encoder.down_blocks.1.resnets.0.", VaeBlockScript.SHORTCUT, p);
      add(file, m, "encoder.down_blocks.1.resnets.1.", VaeBlockScript.RESNET, p);
      add(file, m, "encoder.down_blocks.1.downsamplers.0.conv.", List.of("weight", "bias"), p);
      NDArray x = Fixtures.array(m, ENCODE + "encoder.down_blocks.0.npy"); // (1, 8, 64, 64)
      NDArray out = script.downBlock(x, GROUPS, EPS, 2, true, true, p); // (1, 16, 32, 32)
      assertMatches(out, Fixtures.array(m, ENCODE + "encoder.down_blocks.1.npy"));
    }
  }

  @Test
  void upBlockUpsamplerEqualsNearestRepeatThenConvolutionOnOddShapes() {
    // A resnet whose conv2 is zero is the identity, so this up block is its up-sampler alone;
    // the independent route repeats each pixel 2x2, then runs a 3x3 convolution (DJL ops).
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      int c = 4;
      NDArray x = m.randomNormal(new Shape(2, c, 5, 7)); // (B, C, H, W): not square, odd
      NDArray w = m.randomNormal(new Shape(c, c, 3, 3)); // (C, C, 3, 3)
      NDArray b = m.randomNormal(new Shape(c));
      List<NDArray> p =
          new ArrayList<>(
              List.of(
                  m.ones(new Shape(c)),
                  m.zeros(new Shape(c)),
                  m.randomNormal(new Shape(c, c, 3, 3)),
                  m.zeros(new Shape(c)),
                  m.ones(new Shape(c)),
                  m.zeros(new Shape(c)),
                  m.zeros(new Shape(c, c, 3, 3)), // conv2 = 0: the resnet returns x
                  m.zeros(new Shape(c))));
      p.add(script.upsamplerKernel(w)); // (C, C, 4, 4)
      p.add(b);
      NDArray actual = script.upBlock(x, 1, EPS, 1, false, true, p); // (2, C, 10, 14)
      NDArray repeated = x.repeat(2, 2).repeat(3, 2); // (2, C, 10, 14)
      NDArray expected =
          Conv2d.conv2d(repeated, w, b, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
              .singletonOrThrow(); // (2, C, 10, 14)
      assertThat(actual.getShape()).isEqualTo(expected.getShape());
      Parity.assertAllClose(actual, expected, 1e-5, 1e-5);
    }
  }

  @Test
  void wrongParameterCountsAreRejectedBeforeAnyNativeCall() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.zeros(new Shape(1, 8, 4, 4));
      List<NDArray> eight = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        eight.add(m.zeros(new Shape(8)));
      }
      assertThatThrownBy(() -> script.upBlock(x, 4, EPS, 1, false, true, eight))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 10 tensors");
      assertThatThrownBy(() -> script.downBlock(x, 4, EPS, 1, true, false, eight))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 10 tensors");
      assertThatThrownBy(() -> script.upBlock(x, 4, EPS, 0, false, false, List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("resnets");
      assertThatThrownBy(() -> script.midBlock(x, 4, EPS, 64, true, eight))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 26 tensors");
      assertThatThrownBy(() -> script.midBlock(x, 4, EPS, 0, false, eight))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("chunk");
    }
  }

  private static SafetensorsFile tinyVae() {
    return SafetensorsFile.open(
        Fixtures.path("model/vae").resolve("diffusion_pytorch_model.safetensors"));
  }

  private static void add(
      SafetensorsFile file, NDManager m, String prefix, List<String> names, List<NDArray> out) {
    for (String name : names) {
      out.add(file.load(prefix + name, m, DataType.FLOAT32));
    }
  }

  /** The manifest's rule for these intermediates: atol 1e-4 · max(1, max|expected|), rtol 1e-4. */
  private static void assertMatches(NDArray actual, NDArray expected) {
    assertThat(actual.getShape()).isEqualTo(expected.getShape());
    float scale = expected.abs().max().getFloat();
    Parity.assertAllClose(actual, expected, 1e-4 * Math.max(1, scale), 1e-4);
  }
}
