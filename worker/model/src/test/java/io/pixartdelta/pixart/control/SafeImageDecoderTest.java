package io.pixartdelta.pixart.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.pixart.control.ControlImageException.Code;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SafeImageDecoderTest {
  private final SafeImageDecoder decoder = new SafeImageDecoder(ControlImageLimits.defaults());

  private static RgbImage random(int h, int w, long seed) {
    byte[] rgb = new byte[h * w * 3];
    new Random(seed).nextBytes(rgb);
    return RgbImage.wrap(h, w, rgb);
  }

  @Test
  void losslessFormatsDecodeExactly() {
    RgbImage image = random(13, 21, 1);
    assertThat(decoder.decode(TestImages.png(image)).data()).isEqualTo(image.data());
    byte[] bmp = TestImages.encode(TestImages.buffered(image), "bmp");
    assertThat(decoder.decode(bmp).data()).isEqualTo(image.data());
    byte[] tiff = TestImages.encode(TestImages.buffered(image), "tiff");
    assertThat(decoder.decode(tiff).data()).isEqualTo(image.data());
  }

  @Test
  void greyImagesKeepTheirRawLevelsInAllThreeChannels() {
    // Java's getRGB would convert the linear grey colour space to sRGB and brighten mid-greys;
    // PIL's convert("RGB") replicates the stored level, and so must we.
    BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = grey.getRaster();
    for (int i = 0; i < 256; i++) {
      raster.setSample(i % 16, i / 16, 0, i);
    }
    RgbImage out = decoder.decode(TestImages.encode(grey, "png"));
    for (int i = 0; i < 256; i++) {
      for (int c = 0; c < 3; c++) {
        assertThat(out.sample(i / 16, i % 16, c)).isEqualTo(i);
      }
    }
  }

  @Test
  void sixteenBitSamplesKeepTheirHighByte() {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    grey.getRaster().setSample(0, 0, 0, 0x1234);
    grey.getRaster().setSample(1, 0, 0, 0xFFFF);
    RgbImage out = decoder.decode(TestImages.encode(grey, "png"));
    assertThat(out.sample(0, 0, 1)).isEqualTo(0x12);
    assertThat(out.sample(0, 1, 2)).isEqualTo(0xFF);
  }

  @Test
  void alphaIsDroppedWithoutCompositing() {
    BufferedImage argb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x00C86432); // fully transparent (200, 100, 50)
    argb.setRGB(1, 0, 0x80102030);
    RgbImage out = decoder.decode(TestImages.encode(argb, "png"));
    assertThat(new int[] {out.sample(0, 0, 0), out.sample(0, 0, 1), out.sample(0, 0, 2)})
        .containsExactly(200, 100, 50);
    assertThat(new int[] {out.sample(0, 1, 0), out.sample(0, 1, 1), out.sample(0, 1, 2)})
        .containsExactly(0x10, 0x20, 0x30);
  }

  @Test
  void palettedGifsAreLookedUp() {
    // (16 × 16: the JDK's GIF reader returns all black for a 4 × 4 GIF that Pillow reads fine.)
    BufferedImage indexed = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED);
    indexed.setRGB(1, 2, 0xFF0000);
    indexed.setRGB(2, 1, 0xFFFFFF);
    RgbImage out = decoder.decode(TestImages.encode(indexed, "gif"));
    assertThat(out.height()).isEqualTo(16);
    assertThat(new int[] {out.sample(2, 1, 0), out.sample(2, 1, 1), out.sample(2, 1, 2)})
        .containsExactly(255, 0, 0);
    assertThat(out.sample(1, 2, 1)).isEqualTo(255);
    assertThat(out.sample(0, 0, 0)).isZero();
  }

  @Test
  void jpegDecodesCloseToTheOriginal() {
    byte[] rgb = new byte[32 * 48 * 3];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 48; x++) {
        rgb[(y * 48 + x) * 3] = (byte) (x * 5);
        rgb[(y * 48 + x) * 3 + 1] = (byte) (y * 7);
        rgb[(y * 48 + x) * 3 + 2] = (byte) 128;
      }
    }
    RgbImage smooth = RgbImage.wrap(32, 48, rgb);
    RgbImage out = decoder.decode(TestImages.jpeg(TestImages.buffered(smooth), 0.95f));
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 48; x++) {
        for (int c = 0; c < 3; c++) {
          assertThat(Math.abs(out.sample(y, x, c) - smooth.sample(y, x, c))).isLessThan(10);
        }
      }
    }
  }

  @Test
  void headerOfAHugeImageIsRefusedBeforeAnythingIsDecoded() {
    // 100 000 × 100 000 RGB would need 30 GB; the 57-byte file must be refused from its header.
    byte[] bomb = TestImages.pngHeaderOnly(100_000, 100_000);
    assertThat(bomb.length).isLessThan(100);
    assertRefused(() -> decoder.decode(bomb), Code.TOO_LARGE, "10000000000 pixels");
    // The probe reads the same header and reports it without a limit check.
    assertThat(decoder.probe(bomb).width()).isEqualTo(100_000);
  }

  @Test
  void pixelAndByteLimitsAreConfigurable() {
    byte[] png = TestImages.png(random(40, 50, 2));
    SafeImageDecoder small = new SafeImageDecoder(new ControlImageLimits(1999, 1 << 20));
    assertRefused(() -> small.decode(png), Code.TOO_LARGE, "50x40 = 2000 pixels");
    SafeImageDecoder exact = new SafeImageDecoder(new ControlImageLimits(2000, 1 << 20));
    assertThat(exact.decode(png).width()).isEqualTo(50);
    SafeImageDecoder fewBytes = new SafeImageDecoder(new ControlImageLimits(2000, 100));
    assertRefused(() -> fewBytes.decode(png), Code.TOO_LARGE, "bytes");
    assertThatThrownBy(() -> new ControlImageLimits(0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPixels");
  }

  @Test
  void zeroSizedImagesAreInvalid() {
    assertRefused(() -> decoder.decode(new byte[0]), Code.INVALID, "empty");
    assertRefused(() -> decoder.decode(null), Code.INVALID, "empty");
    assertRefused(() -> decoder.decode(TestImages.pngHeaderOnly(0, 10)), Code.INVALID, "");
    assertRefused(() -> decoder.decode(TestImages.pngHeaderOnly(10, 0)), Code.INVALID, "");
  }

  @Test
  void nonImagesAreInvalid() {
    byte[] text = "{\"prompt\": \"a cat\"}".getBytes(StandardCharsets.UTF_8);
    assertRefused(() -> decoder.decode(text), Code.INVALID, "not an image");
    byte[] pdf = "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj".getBytes(StandardCharsets.ISO_8859_1);
    assertRefused(() -> decoder.decode(pdf), Code.INVALID, "not an image");
    byte[] noise = new byte[4096];
    new Random(3).nextBytes(noise);
    assertRefused(() -> decoder.decode(noise), Code.INVALID, "");
  }

  @Test
  void truncatedOrCorruptImagesAreInvalid() {
    byte[] png = TestImages.png(random(64, 64, 4));
    assertRefused(
        () -> decoder.decode(Arrays.copyOf(png, png.length / 2)), Code.INVALID, "control image");
    byte[] damaged = png.clone();
    for (int i = png.length / 3; i < png.length / 3 + 64; i++) {
      damaged[i] ^= 0x5A; // inside the compressed pixel data
    }
    assertRefused(() -> decoder.decode(damaged), Code.INVALID, "");
    byte[] jpeg = TestImages.jpeg(TestImages.buffered(random(64, 64, 5)), 0.9f);
    assertRefused(() -> decoder.decode(Arrays.copyOf(jpeg, jpeg.length * 2 / 3)), Code.INVALID, "");
    assertRefused(() -> decoder.decode(Arrays.copyOf(png, 20)), Code.INVALID, "");
  }

  private static void assertRefused(ThrowingCallable call, Code code, String messagePart) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ControlImageException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(messagePart);
  }
}
