package io.pixartdelta.pixart.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PilBilinearResizeTest {

  /** The test image fed to Pillow: a deterministic, non-linear pattern. */
  static RgbImage formula(int h, int w) {
    byte[] rgb = new byte[h * w * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          rgb[(y * w + x) * 3 + c] = (byte) ((x * 37 + y * 91 + c * 53 + ((x * y) % 7) * 11) % 256);
        }
      }
    }
    return RgbImage.wrap(h, w, rgb);
  }

  /**
   * {@code Image.fromarray(formula(7, 11)).resize((w, h), Image.BILINEAR)} with Pillow 9.4.0
   * (Debian's python3-pil), as (H, W, 3) bytes in hex.
   */
  private static final String[][] PILLOW_7X11 = {
    {"3", "4", "7186927c8a9d7f7e91838c917d996d80786b78788481a46070a57b868d55809f" + "6f72a772"},
    {
      "10",
      "15",
      "00356a164b8031669b4c81b6689dd283b8ed9ed3c4b9ee23d44d3e7824590a3f"
          + "74265b904176ab5c91c672a7dc32679c4c81b66ba0a78bb668ab6f887f73a85d"
          + "92a97db2739c7c9372699e3e73a85e93c87db2899c997ab65e9372a79c909fba"
          + "a0aba09bc345c05c6a745085376ca15c91c68188bd8395ad7fa8a9a49ece9fbe"
          + "73af9759cd4277b1e628d4784bae4172376b94628dbf5f8ec36297cc8dc2f7b7"
          + "3a6fbf7235c0c537eb3d627457844e7eab7199ce4b805b727283857e7c77ac3a"
          + "82b7469a775eb14075bd4b80733a6f5459645b7e6b8b6d9c81985d7fb44289be"
          + "4c31669b5d92918abf63a5da1575aa26815d449d2c61af3d72575f94366ba043"
          + "789b79ae8f9dd23f92c7206ba02e71a6ce9acf6db7ec2dafe435356a6f194e7c"
          + "32678f6a9fc86ea3cb71a6ce81b6b0b4e93abcf1327bb052174c81b0e55a73a8"
          + "694e83785489823c71995b905f84b92e9bd045a4d94eade2579fd46254897555"
          + "8a7f4c818f386da27db25a639894588d9b669b5d75aa6c9a9146bc7e26cb8d35"
          + "859b4475aa5277ac70578cb761967f70a5667cb17322578c6095ca92c7a6a5da"
          + "0fb8ed22cb7735de1348f1265b48396e174c813a6fa485baef9dd25db0e51ac0"
          + "f52a"
    },
    {
      "7",
      "5",
      "1e5388669bd0afa66b4241765489be82b7bbaa745e527db27aafcfc79b62b57c"
          + "505e7db29088b2c277426b6fa44a7f83a1a121a02751366b8a90c52b9fd46a54"
          + "895e5186bb8dc29781b64c64996d4d8282a9de1d8bc055386da2679ca0b7b636"
          + "a9305b487d9dabe046"
    },
    {
      "12",
      "11",
      "00356a255a8f4a7fb46fa4d994c9feb9ee23de134803386d285d924d82b772a7"
          + "dc22578c4b80b574a97e9e73a8679cd190c55ab94e83255a8f4e83b877ac81a1"
          + "76ab578cc187bcf1b6eb2be6265b20558a5085af7fa9de5a8fc48abff4b9ee2e"
          + "e9295e8cc16cc26da26ea362a363983a6fa470a5daa651868fc46fc570a571a6"
          + "65a6669ba1d62bde33683a6f846da2b7667bb099aee3b50a3fa4d92ee1366b3d"
          + "728770a5ba417660846ea37cb13188bd3db53469c141764e396e4479638771a6"
          + "7fb4348bc0402c619675aa94a8dd126fa424a22257b5356a32679c2f649978ad"
          + "97abe01572a7276196cbb0e53abdf22723586d2f4479758abf6196cb6499ceb3"
          + "e83dc0f52a265b7096cb8a76ab567fb45f285d9254894987bc7b90c58499ce8d"
          + "79ae5982b7622b6095c0f535275c91376c96467ba59fca09afd919b4e928c3f8"
          + "382a5f943a6f99497ea860956a6398cd79ae438fc459c1562bd76c414d825763"
          + "986d669bd07cb14692c75c22578c89bef3a3d80dbdf227d70c41f1265b0b4075"
          + "255a8f8cc1f6a6db10c0f52a"
    },
    {
      "5",
      "17",
      "1e538831669b4c81ac669b8f809295967aaf7995ca7aafa894c954af756e8f4c"
          + "812b568b396ea35489aa6ea38d88909d9b7bb08ec369a79983ba719980947282"
          + "887a9c669b596da24e83b871a6db946ea3a1717c92bf6eb0928cb27a94799d6e"
          + "8b8483a5689d40757b6180868692868db74184b93078a33f93555aa7396eb447"
          + "7c704d82485c8343757e6c858c8b9c7c91c13784b93578ad4094c98d87bc7279"
          + "ae557fb45b5c9172295e8c457a5f64995d86bb7e8cc18491c68997cc8f87bc6e"
          + "7eb35a84b95f54897c2a5f94598e6e5f949c6a9fc078ad5f87bc4697c151b572"
          + "38cb5635da64447a73534c81615a8f6f659aab6fa4b17eb3518cc14c97cc56"
    },
  };

  @Test
  void matchesPillowBitForBit() {
    RgbImage src = formula(7, 11);
    for (String[] c : PILLOW_7X11) {
      int h = Integer.parseInt(c[0]);
      int w = Integer.parseInt(c[1]);
      RgbImage out = PilBilinearResize.resize(src, h, w);
      assertThat(HexFormat.of().formatHex(out.data())).as("7x11 -> %dx%d", h, w).isEqualTo(c[2]);
    }
  }

  @Test
  void downscalingAveragesInsteadOfSampling() {
    // A one-pixel checkerboard shrunk 4×: every output covers as many black as white pixels, so
    // an antialiased filter gives mid-grey (Pillow: 127 and 128 only), where two-tap bilinear
    // sampling would return pure black or white.
    byte[] board = new byte[64 * 64 * 3];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        for (int c = 0; c < 3; c++) {
          board[(y * 64 + x) * 3 + c] = (byte) ((x + y) % 2 == 1 ? 255 : 0);
        }
      }
    }
    RgbImage out = PilBilinearResize.resize(RgbImage.wrap(64, 64, board), 16, 16);
    for (byte b : out.data()) {
      assertThat(b & 0xFF).isBetween(127, 128);
    }
  }

  @Test
  void theSupportGrowsWithTheDownscaleFactor() {
    // 100 → 10: each output reads ~2·10 inputs; 10 → 100: at most two non-zero weights.
    PilBilinearResize.AxisFilter down = PilBilinearResize.filter(100, 10, 0, 10);
    for (int i = 0; i < 10; i++) {
      int[] k = down.weights()[i];
      // Centres at 5, 15, ..., 95: the first and last windows are cut by the image border.
      assertThat(k.length).isBetween(i == 0 || i == 9 ? 14 : 19, 21);
      assertThat(sum(k)).isCloseTo(1 << PilBilinearResize.PRECISION_BITS, within(k.length));
    }
    PilBilinearResize.AxisFilter up = PilBilinearResize.filter(10, 100, 0, 100);
    for (int[] k : up.weights()) {
      long nonZero = Arrays.stream(k).filter(v -> v != 0).count();
      assertThat(nonZero).isBetween(1L, 2L);
      assertThat(sum(k)).isCloseTo(1 << PilBilinearResize.PRECISION_BITS, within(k.length));
    }
  }

  @Test
  void aWindowEqualsTheSameCropOfTheFullResize() {
    Random r = new Random(7);
    byte[] rgb = new byte[13 * 17 * 3];
    r.nextBytes(rgb);
    RgbImage src = RgbImage.wrap(13, 17, rgb);
    int[][] sizes = {{9, 30}, {13, 40}, {5, 17}, {26, 8}};
    for (int[] s : sizes) {
      RgbImage full = PilBilinearResize.resize(src, s[0], s[1]);
      int top = s[0] / 3;
      int left = s[1] / 4;
      int h = s[0] - top - 1;
      int w = s[1] - left - 1;
      RgbImage window = PilBilinearResize.resizeWindow(src, s[0], s[1], top, left, h, w);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int c = 0; c < 3; c++) {
            assertThat(window.sample(y, x, c)).isEqualTo(full.sample(y + top, x + left, c));
          }
        }
      }
    }
  }

  @Test
  void theSameSizeIsTheIdentity() {
    RgbImage src = formula(7, 11);
    assertThat(PilBilinearResize.resize(src, 7, 11).data()).isEqualTo(src.data());
  }

  private static long sum(int[] k) {
    long s = 0;
    for (int v : k) {
      s += v;
    }
    return s;
  }

  private static Offset<Long> within(long n) {
    return Offset.offset(n);
  }
}
