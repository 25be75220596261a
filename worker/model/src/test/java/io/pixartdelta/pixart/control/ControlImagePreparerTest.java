package io.pixartdelta.pixart.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.image.AspectRatioBins.Bin;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ControlImagePreparerTest {
  private final ControlImagePreparer preparer =
      new ControlImagePreparer(ControlImageLimits.defaults());

  /**
   * {@code PilBilinearResizeTest.formula(h, w)} through the official transform, computed with
   * Pillow 9.4.0 and torchvision's rules ({@code Resize(min(bin))} on the PIL image, {@code
   * CenterCrop(bin)} with its zero padding), as (3, H, W) uint8 in hex, before the division by 255.
   * Columns: source h, w; bin h, w; resized h, w; pixels.
   */
  private static final String[][] TORCHVISION = {
    {
      "9",
      "15",
      "8",
      "12",
      "8",
      "13",
      "15406b829bc629416c849cc77aa1ac754a837da4ac824a83879d627e9b9487a6"
          + "63819d9947918b709857459193719960946b55487d949a6e5c477e975d6c85ac"
          + "d16a5d6e86abd37670a6cc8d594e6ba7cd995a53ac2d6180a2d6bd2d6183a2d6"
          + "4a7590a5d055477693a5d162a4a8924f7f87a4a89e517f8b9f5c97847734995b"
          + "988b783d7cc6c05b406b7ac6c863426bc9a08a7db2c9cfa3917cb3cc92a1ba88"
          + "607892a3bb92617aa5dbb2464e74a0dcbf4a4f752e6286a3d764306288a35731"
          + "7f9faeda78567ca2af742c57a4a55684b4bca7b05686b4c04b76738eac694b7b"
          + "7491ad729d5e244d75a0a367264e77a076627b675a727a657c6f5b757da54840"
          + "3b5477b14a453d55b83d365d83a9c142375d84aa5c70a46532666170a4723266"
    },
    {
      "16",
      "30",
      "8",
      "12",
      "8",
      "15",
      "7d7b75808a6c8883817b8690867a8b838586878c8091898b817c7771897c7087"
          + "827d778f8c718c9c7f7aa0927792a27983847490837b89898a7a96657d987473"
          + "90906d839e7a7996657f636874686b6b79656e7a74956f787f587c7a72687e85"
          + "92748f8c888190987a95928e6373987c668b9869799e826c86a9ac86928d9d8c"
          + "8ba68c986982b17964878163788f736a786d81655870725a677b675e726d7584"
          + "6d718678737b8a73868090998189a08c86969f878d7889848b7f88937e8f8a91"
          + "9e8e967d829b8e6d8f9c7e7a8c806d798f7c696e7a7373715f7e6d5f737e6665"
          + "847365795e8b6a5679885a6491705c7f61867a6675897367807c6c77977a8281"
          + "728687795c70636ca381658e9a6a7d9d87677c9c9992909d9299949f98967a8b"
    },
    {
      "10",
      "12",
      "8",
      "12",
      "8",
      "9",
      "0023538183b24c497e80000000919b9a4d828fa59d5c0000006a8380a78f6289"
          + "7c9d00000070a4575b72669d7449000000814f5fa0a291565c8e0000005fa3c1"
          + "94684998c59e000000925e8d71a1ac618d760000005a71b59f586468acc70000"
          + "0058888db2874d7e93a2000000a69a7075829d9687650000007e82a75444707a"
          + "b169000000a5d9875a8a9bd2a955000000b6848f9fb9c68b919900000094d8a5"
          + "37527ecdc44b0000005f937e9d8b59888c8b00000062a65f486d5f97813c0000"
          + "008d9db1b35c82a2a85100000090857caab78e99729a000000696d547b79617d"
          + "5071000000973f5478abae544b6b0000006988792e3d588e8141000000a85835"
          + "5f87aa782f53000000735d894a76845c8c57000000977b5a4382949856440000"
    },
    {
      "25",
      "7",
      "16",
      "8",
      "28",
      "8",
      "95524e5e86b5b686347da1babcb9ab1b8591aed08b294a69d6312c557da5cef5"
          + "485d89bbd0962f5e79b0644059654f85ca80454f718fb8cd8e787996825e7f87"
          + "6d5f697a603a4c5cbe30233d57718ba3d45452757d7fa1c160899ebf842c577f"
          + "addd65485b6395c21a527e8ca7caaa255494af642e4b7155a55d543f4979939d"
          + "ca878393999cacbb69b2d6d37b203950a3c2e3823d5e7b8710376188b0dad42f"
          + "5d8cbe7225315e73ae455b53537184ba564e5f84a68f43595097aecbb76f4149"
          + "a2949eaf956f81919c5458728ca6b0814464878891b4b13195a4c9763b618cb4"
          + "e2464b7d8e93c7f74f74acc17616225a89c9e4994d4d7d8ada9289747eaec8d2"
          + "4d9a837b541f2f3d9ebe4c243c556e85d83a2f51687c9dbc456891bb77133d64"
          + "92c159454c4679a8e37a676e88a6942b8b8394b9dbc46837855956729ca4767e"
          + "644045577aa4b6c6286a8da7c1c09eb6799993a3c6ab4666aad364497096bbc9"
          + "1c4c7db0c3c8cd306da54190ab4b5278be57295e8282b2bf5d66708765314b54"
    },
  };

  @Test
  void matchesTorchvisionResizeAndCenterCrop() {
    // The cases cover: crop offset round(0.5) = 0 (half to even), round(1.5) = 2 after a 2×
    // downscale, black padding (1 column before, 2 after) and a tall image cropped vertically.
    for (String[] c : TORCHVISION) {
      int h = Integer.parseInt(c[0]);
      int w = Integer.parseInt(c[1]);
      Bin bin = new Bin("test", Integer.parseInt(c[2]), Integer.parseInt(c[3]));
      byte[] png = TestImages.png(PilBilinearResizeTest.formula(h, w));
      PreparedControlImage out = preparer.prepare(png, bin);
      assertThat(out.bin()).isEqualTo(bin);
      assertThat(out.sourceHeight()).isEqualTo(h);
      assertThat(out.sourceWidth()).isEqualTo(w);
      byte[] expected = HexFormat.of().parseHex(c[6]);
      assertThat(out.pixels()).hasSize(expected.length);
      for (int i = 0; i < expected.length; i++) {
        assertThat(out.pixels()[i])
            .as("%dx%d -> %s, element %d", h, w, bin, i)
            .isEqualTo((expected[i] & 0xFF) / 255f);
      }
    }
  }

  @Test
  void withoutAJobSizeTheBinFollowsTheControlImagesAspectRatio() {
    AspectRatioBins bins = AspectRatioBins.pixart1024();
    int[][] sizes = {{60, 100}, {100, 60}, {50, 50}, {30, 120}, {97, 100}};
    for (int[] s : sizes) {
      PreparedControlImage out =
          preparer.prepare(TestImages.png(PilBilinearResizeTest.formula(s[0], s[1])));
      Bin bin = bins.classify(s[0], s[1]);
      assertThat(out.bin()).isEqualTo(bin);
      assertThat(out.pixels()).hasSize(3 * bin.height() * bin.width());
    }
    assertThat(bins.classify(60, 100).key()).isEqualTo("0.6");
    assertThat(bins.classify(100, 60)).isEqualTo(new Bin("1.67", 1280, 768));
  }

  @Test
  void aJobSizeOverridesTheAspectRatio() {
    Bin square = AspectRatioBins.pixart1024().classify(1024, 1024);
    PreparedControlImage out =
        preparer.prepare(TestImages.png(PilBilinearResizeTest.formula(60, 100)), square);
    assertThat(out.height()).isEqualTo(1024);
    assertThat(out.width()).isEqualTo(1024);
    assertThat(out.sourceWidth()).isEqualTo(100);
  }

  @Test
  void roundedBinRatiosLeaveBlackBorders() {
    // h/w = 0.96 picks the 0.94 bin (960×1024): the image resizes to 960×1000 and gets 12 black
    // columns on each side, as torchvision's CenterCrop pads.
    byte[] white = new byte[96 * 100 * 3];
    Arrays.fill(white, (byte) 255);
    PreparedControlImage out = preparer.prepare(TestImages.png(RgbImage.wrap(96, 100, white)));
    assertThat(out.bin()).isEqualTo(new Bin("0.94", 960, 1024));
    int plane = 960 * 1024;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 960; y += 7) {
        for (int x = 0; x < 1024; x++) {
          float v = out.pixels()[c * plane + y * 1024 + x];
          assertThat(v).as("(%d, %d, %d)", c, y, x).isEqualTo(x < 12 || x >= 1012 ? 0f : 1f);
        }
      }
    }
  }

  @Test
  void extremeAspectRatiosOnlyComputeTheCroppedWindow() {
    // 4 × 4000: shorter side 4 → 512 makes the long side 512 000 pixels; only 2048 are kept.
    byte[] strip = new byte[4 * 4000 * 3];
    for (int i = 0; i < strip.length; i++) {
      strip[i] = (byte) (i % 251);
    }
    PreparedControlImage out = preparer.prepare(TestImages.png(RgbImage.wrap(4, 4000, strip)));
    assertThat(out.bin()).isEqualTo(new Bin("0.25", 512, 2048));
    for (float v : out.pixels()) {
      assertThat(v).isBetween(0f, 1f);
    }
  }

  @Test
  void theTensorIsABatchOfOneInChwOrder() {
    Bin bin = new Bin("test", 8, 12);
    PreparedControlImage out =
        preparer.prepare(TestImages.png(PilBilinearResizeTest.formula(9, 15)), bin);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = out.toNDArray(m);
      assertThat(x.getShape()).isEqualTo(new Shape(1, 3, 8, 12));
      assertThat(x.toFloatArray()).containsExactly(out.pixels());
    }
  }

  @Test
  void badBytesFailWithAStableCode() {
    assertThatThrownBy(() -> preparer.prepare(new byte[] {1, 2, 3}))
        .isInstanceOfSatisfying(
            ControlImageException.class,
            e -> assertThat(e.code().wire()).isEqualTo("control-image-invalid"));
    assertThatThrownBy(() -> preparer.prepare(TestImages.pngHeaderOnly(100_000, 100_000)))
        .isInstanceOfSatisfying(
            ControlImageException.class,
            e -> assertThat(e.code().wire()).isEqualTo("control-image-too-large"));
  }
}
