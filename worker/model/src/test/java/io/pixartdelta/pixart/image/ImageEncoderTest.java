package io.pixartdelta.pixart.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageEncoderTest {

  /** A smooth gradient with some texture: compressible, but not trivially. */
  static BufferedImage testImage(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = (x * 255) / Math.max(1, width - 1);
        int g = (y * 255) / Math.max(1, height - 1);
        int b = ((x * 7 + y * 13) ^ (x * y)) & 0xFF;
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  @Test
  void pngIsLosslessAtEveryLevel() throws IOException {
    BufferedImage image = testImage(97, 61);
    for (int level = 0; level <= 9; level++) {
      EncodedImage png = ImageEncoder.png(level).encode(image);
      assertThat(png.contentType()).isEqualTo("image/png");
      assertThat(png.format().extension()).isEqualTo("png");
      assertThat(png.bytes()).startsWith(0x89, 'P', 'N', 'G');
      BufferedImage back = ImageIO.read(new ByteArrayInputStream(png.bytes()));
      assertThat(back.getWidth()).isEqualTo(97);
      assertThat(back.getHeight()).isEqualTo(61);
      for (int y = 0; y < 61; y++) {
        for (int x = 0; x < 97; x++) {
          assertThat(back.getRGB(x, y)).isEqualTo(image.getRGB(x, y));
        }
      }
    }
  }

  @Test
  void pngDeflateLevelIsApplied() {
    BufferedImage image = testImage(256, 256);
    int stored = ImageEncoder.png(0).encode(image).bytes().length;
    int fast = ImageEncoder.png(1).encode(image).bytes().length;
    int best = ImageEncoder.png(9).encode(image).bytes().length;
    // Level 0 stores the filtered rows uncompressed: at least 3 bytes per pixel.
    assertThat(stored).isGreaterThan(3 * 256 * 256);
    assertThat(fast).isLessThan(stored);
    assertThat(best).isLessThanOrEqualTo(fast);
  }

  @Test
  void pngGoesThroughTheFastWriterAtTheGivenLevel() {
    BufferedImage image = testImage(64, 48);
    for (int level = 0; level <= 9; level++) {
      assertThat(ImageEncoder.png(level).encode(image).bytes())
          .isEqualTo(PngWriter.ofLevel(level).write(image));
    }
  }

  @Test
  void jpegQualityTradesSizeForFidelity() throws IOException {
    BufferedImage image = testImage(128, 96);
    EncodedImage low = ImageEncoder.jpeg(10).encode(image);
    EncodedImage high = ImageEncoder.jpeg(95).encode(image);
    assertThat(high.contentType()).isEqualTo("image/jpeg");
    assertThat(high.bytes()).startsWith(0xFF, 0xD8);
    assertThat(low.bytes().length).isLessThan(high.bytes().length);
    BufferedImage back = ImageIO.read(new ByteArrayInputStream(high.bytes()));
    assertThat(back.getWidth()).isEqualTo(128);
    assertThat(back.getHeight()).isEqualTo(96);
    // Quality 95 keeps the smooth red ramp within a few levels.
    int r = (back.getRGB(64, 48) >> 16) & 0xFF;
    assertThat(Math.abs(r - (64 * 255) / 127)).isLessThan(12);
  }

  @Test
  void rejectsBadSettingsAndAlphaForJpeg() {
    assertThatThrownBy(() -> ImageEncoder.png(10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageEncoder.png(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageEncoder.jpeg(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageEncoder.jpeg(101)).isInstanceOf(IllegalArgumentException.class);
    BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
    assertThatThrownBy(() -> ImageEncoder.jpeg(90).encode(argb))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alpha");
    assertThatThrownBy(() -> new EncodedImage(new byte[0], ImageCodec.PNG))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
