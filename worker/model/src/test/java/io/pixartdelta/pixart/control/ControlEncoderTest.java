package io.pixartdelta.pixart.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.image.AspectRatioBins.Bin;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.random.TorchGenerator;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import io.pixartdelta.pixart.vae.LatentDist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ControlEncoderTest {
  // The manifest's VAE tolerance base (atol and rtol 1e-4, latents here are below 1 in size).
  private static final double TOL = 1e-4;

  private static AutoencoderKl vae;
  private static HedDetector hed;
  private static ControlEncoder encoder;
  private static Path dir;

  @BeforeAll
  static void load() throws IOException {
    vae =
        AutoencoderKl.load(
            Fixtures.tinyModel().resolve("vae"),
            Device.cpu(),
            DataType.FLOAT32,
            NdArrayKernels.INSTANCE);
    dir = Files.createTempDirectory("hed");
    hed =
        HedDetector.load(
            TinyHedWriter.write(dir.resolve("hed.safetensors"), 7), Device.cpu(), DataType.FLOAT32);
    encoder = new ControlEncoder(vae, hed, CannyEdges.withDefaults());
  }

  @AfterAll
  static void close() throws IOException {
    hed.close();
    vae.close();
    Files.deleteIfExists(dir.resolve("hed.safetensors"));
    Files.deleteIfExists(dir);
  }

  /** Random soft edges (B, 1, H, W) in [0, 1]. */
  private static NDArray edges(NDManager m, int b, int h, int w, long seed) {
    m.getEngine().setRandomSeed((int) seed);
    return m.randomUniform(0f, 1f, new Shape(b, 1, h, w));
  }

  private static NDArray grey(NDArray e) {
    return NDArrays.concat(new NDList(e, e, e), 1); // (B, 3, H, W)
  }

  /** What the official preprocessing makes of an edge map, written out with the VAE directly. */
  private static LatentDist referenceDist(NDArray e) {
    NDArray centred = e.mul(2f).sub(1f); // (e − 0.5)/0.5
    return vae.encode(grey(centred));
  }

  @Test
  void theMeanPathIsTheVaeMeanOfTheCentredEdgeMapTimesTheScalingFactor() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray e = edges(m, 2, 64, 64, 1);
      NDArray latent = encoder.encode(grey(e), ControlMapKind.EDGES);
      assertThat(latent.getShape()).isEqualTo(new Shape(2, 4, 8, 8));
      assertThat(vae.scalingFactor()).isEqualTo(0.18215f);
      NDArray expected = referenceDist(e).mean().mul(0.18215f);
      Parity.assertAllClose(latent, expected, TOL, TOL);
      assertThat(latent.getManager()).isSameAs(m);
    }
  }

  @Test
  void theSamplePathAddsStdTimesOneDrawPerImageGenerator() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray e = edges(m, 2, 64, 48, 2);
      NDArray latent =
          encoder.encode(
              grey(e), ControlMapKind.EDGES, List.of(new TorchGenerator(5), new TorchGenerator(6)));
      assertThat(latent.getShape()).isEqualTo(new Shape(2, 4, 8, 6));
      LatentDist dist = referenceDist(e);
      NDArray noise =
          NDArrays.concat(
              new NDList(
                  new TorchGenerator(5).randn(m, new Shape(1, 4, 8, 6)),
                  new TorchGenerator(6).randn(m, new Shape(1, 4, 8, 6))),
              0);
      NDArray expected = noise.mul(dist.std()).add(dist.mean()).mul(0.18215f);
      Parity.assertAllClose(latent, expected, TOL, TOL);

      NDArray again =
          encoder.encode(
              grey(e), ControlMapKind.EDGES, List.of(new TorchGenerator(5), new TorchGenerator(6)));
      assertThat(again.toFloatArray()).containsExactly(latent.toFloatArray());
      NDArray mean = encoder.encode(grey(e), ControlMapKind.EDGES);
      assertThat(Parity.relativeL2(latent.toFloatArray(), mean.toFloatArray())).isGreaterThan(0);
    }
  }

  @Test
  void edgeMapsAreLuminanceHedOrCanny() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(4);
      NDArray image = m.randomUniform(0f, 1f, new Shape(1, 3, 32, 40));
      float[] rgb = image.toFloatArray();
      float[] lum = encoder.edgeMap(image, ControlMapKind.EDGES).toFloatArray();
      int plane = 32 * 40;
      for (int i = 0; i < plane; i++) {
        double y = 0.299 * rgb[i] + 0.587 * rgb[plane + i] + 0.114 * rgb[2 * plane + i];
        assertThat((double) lum[i]).isCloseTo(y, Offset.offset(1e-6));
      }
      assertThat(encoder.edgeMap(image, ControlMapKind.HED).toFloatArray())
          .containsExactly(hed.detect(image).toFloatArray());
      NDArray canny = encoder.edgeMap(image, ControlMapKind.CANNY);
      assertThat(canny.getShape()).isEqualTo(new Shape(1, 1, 32, 40));
      assertThat(canny.toFloatArray())
          .containsExactly(CannyEdges.withDefaults().detect(image).toFloatArray());

      for (ControlMapKind type : ControlMapKind.values()) {
        NDArray latent = encoder.encode(image, type);
        NDArray viaEdges = encoder.encodeEdges(encoder.edgeMap(image, type), null);
        assertThat(latent.getShape()).isEqualTo(new Shape(1, 4, 4, 5));
        Parity.assertAllClose(latent, viaEdges, 0, 0);
      }
    }
  }

  @Test
  void aPreparedControlImageBecomesALatentOfItsBin() {
    byte[] png = TestImages.png(PilBilinearResizeTest.formula(50, 70));
    PreparedControlImage prepared =
        new ControlImagePreparer(ControlImageLimits.defaults())
            .prepare(png, new Bin("test", 64, 96));
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray latent = encoder.encode(prepared.toNDArray(m), ControlMapKind.HED);
      assertThat(latent.getShape()).isEqualTo(new Shape(1, 4, 8, 12));
    }
  }

  @Test
  void hedWithoutWeightsFailsTheJobWithAStableCode() {
    ControlEncoder noHed = new ControlEncoder(vae, null, CannyEdges.withDefaults());
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray image = m.zeros(new Shape(1, 3, 16, 16));
      assertThatThrownBy(() -> noHed.encode(image, ControlMapKind.HED))
          .isInstanceOfSatisfying(
              ControlImageException.class,
              e -> assertThat(e.code().wire()).isEqualTo("control-type-unavailable"));
      assertThat(noHed.encode(image, ControlMapKind.CANNY).getShape())
          .isEqualTo(new Shape(1, 4, 2, 2));
    }
  }

  @Test
  void argumentsAreChecked() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray image = m.zeros(new Shape(2, 3, 16, 16));
      assertThatThrownBy(
              () -> encoder.encode(image, ControlMapKind.EDGES, List.of(new TorchGenerator(1))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1 generators for a batch of 2");
      assertThatThrownBy(() -> encoder.encode(m.zeros(new Shape(3, 16, 16)), ControlMapKind.EDGES))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> encoder.encodeEdges(image, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("(B, 1, H, W)");
    }
  }

  @Test
  void controlTypesParseFromTheirWireNames() {
    assertThat(ControlMapKind.fromWire("edges")).isEqualTo(ControlMapKind.EDGES);
    assertThat(ControlMapKind.fromWire("hed")).isEqualTo(ControlMapKind.HED);
    assertThat(ControlMapKind.fromWire("canny")).isEqualTo(ControlMapKind.CANNY);
    assertThatThrownBy(() -> ControlMapKind.fromWire("HED"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("edges, hed, canny");
  }
}
