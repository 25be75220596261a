package io.pixartdelta.pixart.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.pixart.image.AspectRatioBins.Bin;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AspectRatioBinsTest {
  private final AspectRatioBins bins = AspectRatioBins.pixart1024();

  @Test
  void tableIsTheSpecTableInOrder() {
    List<Bin> all = bins.bins();
    assertThat(all).hasSize(33);
    assertThat(all.get(0)).isEqualTo(new Bin("0.25", 512, 2048));
    assertThat(all.get(10)).isEqualTo(new Bin("0.57", 768, 1344));
    assertThat(all.get(18)).isEqualTo(new Bin("1.0", 1024, 1024));
    assertThat(all.get(32)).isEqualTo(new Bin("4.0", 2048, 512));
    for (int i = 1; i < all.size(); i++) {
      assertThat(Double.parseDouble(all.get(i).key()))
          .isGreaterThan(Double.parseDouble(all.get(i - 1).key()));
    }
    for (Bin b : all) {
      // Every trained size is a multiple of 64 pixels (8 latent pixels × 2 patches × 4).
      assertThat(b.height() % 64).isZero();
      assertThat(b.width() % 64).isZero();
      // Keys are the aspect ratio rounded to two decimals (within 0.025 in the table).
      assertThat(Math.abs(b.aspectRatio() - Double.parseDouble(b.key()))).isLessThan(0.025);
    }
  }

  @Test
  void everyBinClassifiesToItself() {
    for (Bin b : bins.bins()) {
      assertThat(bins.classify(b.height(), b.width())).isEqualTo(b);
    }
  }

  @ParameterizedTest
  @CsvSource({
    // requested h, w -> bin h, w
    "1024, 1024, 1024, 1024",
    "512, 512, 1024, 1024",
    "1000, 1500, 832, 1216", // 0.667: 0.68 is closer than 0.6
    "1080, 1920, 768, 1344", // 0.5625 -> 0.57
    "1920, 1080, 1344, 768", // 1.778 -> 1.75
    "100, 10000, 512, 2048", // far below the table -> first bin
    "10000, 100, 2048, 512", // far above -> last bin
    "7, 2, 1728, 576", // 3.5: exact tie between 3.0 and 4.0 -> the earlier, 3.0
    "11, 4, 1600, 640", // 2.75: exact tie between 2.5 and 3.0 -> 2.5
    "3, 4, 832, 1152" // 0.75: 0.72 and 0.78 are equally far in double too -> 0.72
  })
  void picksTheClosestKeyWithTiesToTheFirst(int h, int w, int binH, int binW) {
    Bin b = bins.classify(h, w);
    assertThat(new int[] {b.height(), b.width()}).containsExactly(binH, binW);
  }

  @Test
  void aspectRatioIsTheBinsOwnRatioNotTheKey() {
    Bin b = bins.classify(768, 1344);
    assertThat(b.key()).isEqualTo("0.57");
    assertThat(b.aspectRatio()).isEqualTo(768.0 / 1344.0);
  }

  @Test
  void unbinnedKeepsTheRequestWhenItFitsThePatchGrid() {
    assertThat(AspectRatioBins.unbinned(128, 96))
        .isEqualTo(new Bin(AspectRatioBins.UNBINNED_KEY, 128, 96));
    assertThat(bins.resolve(128, 96, false).height()).isEqualTo(128);
    assertThat(bins.resolve(128, 96, true)).isEqualTo(bins.classify(128, 96));
    assertThatThrownBy(() -> AspectRatioBins.unbinned(1000, 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiples of 16")
        .hasMessageContaining("1000x1024");
    assertThatThrownBy(() -> bins.resolve(1024, 1000, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsNonPositiveSizes() {
    assertThatThrownBy(() -> bins.classify(0, 1024)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> bins.classify(1024, -8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> AspectRatioBins.unbinned(0, 16))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
