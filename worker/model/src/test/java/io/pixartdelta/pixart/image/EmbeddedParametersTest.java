package io.pixartdelta.pixart.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Parameters written by {@link ImageEncoder}, read back through ImageIO's metadata API. */
class EmbeddedParametersTest {
  private static final ImageParameters LIGHTHOUSE =
      new ImageParameters(
          "a lighthouse at dusk", 42, 4, "lcm", 0.0, 96, 64, "PixArt-LCM-XL-2-1024-MS");

  @Test
  void parametersTextHasTheFrontEndLayout() {
    assertThat(LIGHTHOUSE.parametersText())
        .isEqualTo(
            "a lighthouse at dusk\n"
                + "Steps: 4, Sampler: lcm, CFG scale: 0, Seed: 42, Size: 96x64,"
                + " Model: PixArt-LCM-XL-2-1024-MS");
    ImageParameters odd =
        new ImageParameters("p", 7, 20, "dpm-solver", 4.5, 256, 256, "models, \"v2\"");
    assertThat(odd.parametersText())
        .endsWith("CFG scale: 4.5, Seed: 7, Size: 256x256, Model: \"models, \\\"v2\\\"\"");
  }

  @Test
  void pngCarriesTextChunksBeforeTheImageData() throws IOException {
    BufferedImage image = ImageEncoderTest.testImage(96, 64);
    byte[] png = ImageEncoder.png(1).encode(image, LIGHTHOUSE).bytes();

    Map<String, String> text = EmbeddedText.png(png);
    assertThat(text)
        .isEqualTo(
            Map.of(
                "parameters", LIGHTHOUSE.parametersText(),
                "Prompt", "a lighthouse at dusk",
                "Steps", "4",
                "Sampler", "lcm",
                "CFG scale", "0",
                "Seed", "42",
                "Size", "96x64",
                "Model", "PixArt-LCM-XL-2-1024-MS"));
    assertThat(List.copyOf(text.keySet()))
        .containsExactly(
            "parameters", "Prompt", "Steps", "Sampler", "CFG scale", "Seed", "Size", "Model");
    // Same pixels as without metadata; the text sits between IHDR and IDAT.
    assertThat(rgb(ImageIO.read(new ByteArrayInputStream(png)))).isEqualTo(rgb(image));
    String chunks = new String(png, StandardCharsets.ISO_8859_1);
    assertThat(chunks.indexOf("IHDR")).isLessThan(chunks.indexOf("tEXtparameters"));
    assertThat(chunks.lastIndexOf("tEXt")).isLessThan(chunks.indexOf("IDAT"));
  }

  @Test
  void textBeyondLatin1GoesToUtf8InternationalChunks() throws IOException {
    ImageParameters unicode =
        new ImageParameters("灯台 at dusk ✓\nsecond line", 1, 2, "lcm", 0, 32, 32, "tiny");
    byte[] png =
        PngWriter.ofLevel(6).write(ImageEncoderTest.testImage(32, 32), unicode.textEntries());

    assertThat(EmbeddedText.pngInternational(png))
        .containsOnlyKeys("Prompt", "parameters")
        .containsEntry("Prompt", "灯台 at dusk ✓\nsecond line")
        .containsEntry("parameters", unicode.parametersText());
    // Latin-1 values stay plain tEXt.
    assertThat(EmbeddedText.png(png)).containsEntry("Seed", "1").hasSize(8);
  }

  @Test
  void withoutParametersThePngHasNoTextChunks() throws IOException {
    BufferedImage image = ImageEncoderTest.testImage(40, 30);
    byte[] plain = ImageEncoder.png(1).encode(image, null).bytes();
    assertThat(plain).isEqualTo(ImageEncoder.png(1).encode(image).bytes());
    assertThat(EmbeddedText.png(plain)).isEmpty();
  }

  @Test
  void badKeywordsAreRejected() {
    BufferedImage image = ImageEncoderTest.testImage(8, 8);
    for (String keyword : List.of("", " lead", "trail ", "two  spaces", "x".repeat(80), "é✓")) {
      assertThatThrownBy(() -> PngWriter.ofLevel(1).write(image, Map.of(keyword, "v")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("keyword");
    }
  }

  @Test
  void jpegCarriesTheParametersAsAUtf8Comment() throws IOException {
    ImageParameters unicode =
        new ImageParameters("un phare, crépuscule ✓", 9, 4, "lcm", 0, 64, 48, "tiny");
    byte[] jpeg = ImageEncoder.jpeg(90).encode(ImageEncoderTest.testImage(64, 48), unicode).bytes();

    assertThat(EmbeddedText.jpegComments(jpeg)).containsExactly(unicode.parametersText());
    assertThat(ImageIO.read(new ByteArrayInputStream(jpeg)).getWidth()).isEqualTo(64);

    byte[] plain = ImageEncoder.jpeg(90).encode(ImageEncoderTest.testImage(64, 48)).bytes();
    assertThat(EmbeddedText.jpegComments(plain)).isEmpty();
  }

  private static int[] rgb(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }
}
