package io.pixartdelta.pixart.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CannyEdgesTest {
  private static final int H = 32;
  private static final int W = 40;

  /**
   * A rectangle, a textured disc, a diagonal shape and a ramp background. The same formula was fed
   * to OpenCV 4.6.0 ({@code cv2.Canny(img, low, high, L2gradient=...)}, Debian's python3-opencv) to
   * produce the expected maps below.
   */
  private static float[] scene() {
    float[] g = new float[H * W];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int v = 30 + (x * 3) % 17;
        if (y >= 6 && y <= 20 && x >= 5 && x <= 18) {
          v = 200;
        }
        if ((y - 20) * (y - 20) + (x - 28) * (x - 28) <= 64) {
          v = 120 + (y % 3) * 10;
        }
        if (y >= 26 && x + y >= 40) {
          v = 250 - x;
        }
        g[y * W + x] = v;
      }
    }
    return g;
  }

  private static final String OPENCV_100_200_L1 =
      """
          ........................................
          ........................................
          ........................................
          ........................................
          ........................................
          ......############......................
          .....#............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#........###..........
          ....#.............#.....###...####......
          ....#.............#...##.........##.....
          ....#.............#...#...........#.....
          ....#.............#..##...........##....
          ....#.............#..#.............#....
          ....#.............#..#.............#....
          ....#.............#..#.............##...
          .....#............#.................#...
          ......############..#..............##...
          .....................#.............#....
          .....................#.............#....
          ........................................
          ...............#########################
          .............##.........................
          ............##..........................
          ...........##...........................
          ..........##............................
          .........##.............................
          .........#..............................
          """;

  private static final String OPENCV_50_120_L2 =
      """
          ........................................
          ........................................
          ........................................
          ........................................
          ........................................
          ......############......................
          .....#............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#........###..........
          ....#.............#.....###...####......
          ....#.............#...##.........##.....
          ....#.............#...#...........#.....
          ....#.............#..##...........##....
          ....#.............#..#.............#....
          ....#.............#................#....
          ....#.............#...#############.#...
          .....#............#.#...............#...
          ......############..#...............#...
          ....................#..............#....
          .....................#.............#....
          ........................................
          ...............#########################
          .............##.........................
          ............##..........................
          ...........##...........................
          ..........##............................
          .........##.............................
          .........#..............................
          """;

  private static final String OPENCV_20_60_L1 =
      """
          .....#.....#....#.......................
          .....#.....#....#.......................
          .....#.....#....#.......................
          .....#.....#....#.......................
          .....#.....#....#.......................
          ......############......................
          .....#............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#.....................
          ....#.............#........###..........
          ....#.............#.....###...####......
          ....#.............#...##.........##.....
          ....#.............#...#...........#.....
          ....#.............#..##.#########.##....
          ....#.............#..#.............#....
          ....#.............#..#.............#....
          ....#.............#..################...
          .....#............#.................#...
          ......############..#..............##...
          .....#.....#....#....#.###########.#....
          .....#.....#....#....#.............#....
          .....#.....#....#.......................
          .....#.....#...#########################
          .....#.......##.........................
          .....#......##..........................
          .....#.....##...........................
          .....#....##............................
          .....#...##.............................
          .....#...#..............................
          """;

  private static String render(boolean[] edges, int h, int w) {
    StringBuilder b = new StringBuilder();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        b.append(edges[y * w + x] ? '#' : '.');
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String expected(String block) {
    return block.strip().replace(" ", "") + "\n";
  }

  private static CannyEdges opencv(double low, double high, boolean l2) {
    return new CannyEdges(new CannyEdges.Options(low, high, 0, l2));
  }

  @Test
  void withoutBlurMatchesOpenCvExactly() {
    float[] scene = scene();
    assertThat(render(opencv(100, 200, false).detect(scene, H, W), H, W))
        .isEqualTo(expected(OPENCV_100_200_L1));
    assertThat(render(opencv(50, 120, true).detect(scene, H, W), H, W))
        .isEqualTo(expected(OPENCV_50_120_L2));
    assertThat(render(opencv(20, 60, false).detect(scene, H, W), H, W))
        .isEqualTo(expected(OPENCV_20_60_L1));
  }

  @Test
  void aBlankImageHasNoEdges() {
    float[] flat = new float[H * W];
    Arrays.fill(flat, 137f);
    assertThat(count(CannyEdges.withDefaults().detect(flat, H, W))).isZero();
  }

  @Test
  void aFilledRectangleGivesItsOutlineAndNothingElse() {
    int top = 8;
    int left = 10;
    int bottom = 23; // inclusive
    int right = 31;
    float[] img = new float[H * W];
    for (int y = top; y <= bottom; y++) {
      for (int x = left; x <= right; x++) {
        img[y * W + x] = 255f;
      }
    }
    for (CannyEdges canny : new CannyEdges[] {CannyEdges.withDefaults(), opencv(100, 200, false)}) {
      boolean[] e = canny.detect(img, H, W);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          if (e[y * W + x]) {
            assertThat(distanceToOutline(y, x, top, left, bottom, right))
                .as("edge at (%d, %d) off the outline", y, x)
                .isLessThanOrEqualTo(1.0);
          }
        }
      }
      // Every boundary pixel has an edge within one pixel: the outline is closed.
      for (int y = top; y <= bottom; y++) {
        for (int x = left; x <= right; x++) {
          boolean onBoundary = y == top || y == bottom || x == left || x == right;
          if (onBoundary) {
            assertThat(edgeNear(e, y, x, 1)).as("outline gap at (%d, %d)", y, x).isTrue();
          }
        }
      }
    }
  }

  @Test
  void contrastBelowTheThresholdsGivesNoEdgesUnlessTheyAreLowered() {
    // A step of 20 grey levels: the Sobel L1 magnitude is at most 4·20 = 80 < 100.
    float[] img = square(100f, 80f);
    assertThat(count(CannyEdges.withDefaults().detect(img, H, W))).isZero();
    assertThat(count(opencv(100, 200, false).detect(img, H, W))).isZero();
    CannyEdges sensitive = new CannyEdges(CannyEdges.Options.defaults().withThresholds(20, 40));
    assertThat(count(sensitive.detect(img, H, W))).isGreaterThan(40);
  }

  @Test
  void hysteresisKeepsWeakEdgesOnlyWhenConnectedToStrongOnes() {
    CannyEdges canny = opencv(100, 200, false);
    // Contrast 30: magnitude 4·30 = 120, between the thresholds: weak everywhere, no edge.
    assertThat(count(canny.detect(square(30f, 0f), H, W))).isZero();
    // Left half of the same square at contrast 60 (magnitude 240 > 200): the strong left part
    // pulls in the whole connected outline, including the weak right half.
    float[] mixed = square(30f, 0f);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W / 2; x++) {
        if (mixed[y * W + x] > 0) {
          mixed[y * W + x] = 60f;
        }
      }
    }
    boolean[] e = canny.detect(mixed, H, W);
    int rightHalf = 0;
    for (int y = 0; y < H; y++) {
      for (int x = W / 2 + 2; x < W; x++) {
        rightHalf += e[y * W + x] ? 1 : 0;
      }
    }
    assertThat(rightHalf).as("weak edges connected to strong ones").isGreaterThan(20);
  }

  @Test
  void rotatedShapesKeepTheirOutlines() {
    // A 90° rotation maps a rectangle to a rectangle: same number of edge pixels (ties may move
    // an edge by one pixel, but not add or remove any).
    float[] img = new float[H * H];
    for (int y = 6; y <= 25; y++) {
      for (int x = 9; x <= 20; x++) {
        img[y * H + x] = 200f;
      }
    }
    float[] rotated = new float[H * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < H; x++) {
        rotated[x * H + (H - 1 - y)] = img[y * H + x];
      }
    }
    CannyEdges canny = CannyEdges.withDefaults();
    assertThat(count(canny.detect(rotated, H, H))).isEqualTo(count(canny.detect(img, H, H)));

    // A square turned by 45° (a diamond |x − c| + |y − c| <= r): the diagonal directions of the
    // suppression step find its outline, with no gaps and no stray pixels.
    int c = 16;
    int r = 10;
    float[] diamond = new float[H * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < H; x++) {
        diamond[y * H + x] = Math.abs(x - c) + Math.abs(y - c) <= r ? 220f : 10f;
      }
    }
    boolean[] e = canny.detect(diamond, H, H);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < H; x++) {
        int d = Math.abs(x - c) + Math.abs(y - c);
        if (e[y * H + x]) {
          assertThat(Math.abs(d - r)).as("edge at (%d, %d)", y, x).isLessThanOrEqualTo(2);
        } else if (d == r) {
          assertThat(edgeNearIn(e, y, x, 1, H)).as("gap at (%d, %d)", y, x).isTrue();
        }
      }
    }
  }

  @Test
  void greyConversionMatchesOpenCv() {
    // cv2.cvtColor(px, cv2.COLOR_RGB2GRAY) on OpenCV 4.6.0.
    assertThat(CannyEdges.luma8(255, 0, 0)).isEqualTo(76);
    assertThat(CannyEdges.luma8(0, 255, 0)).isEqualTo(150);
    assertThat(CannyEdges.luma8(0, 0, 255)).isEqualTo(29);
    assertThat(CannyEdges.luma8(12, 200, 99)).isEqualTo(132);
    assertThat(CannyEdges.luma8(255, 255, 255)).isEqualTo(255);
    assertThat(CannyEdges.luma8(1, 2, 3)).isEqualTo(2);
    assertThat(CannyEdges.luma8(128, 64, 32)).isEqualTo(79);
  }

  @Test
  void batchesOfRgbImagesGiveOneBinaryMapPerImage() {
    float[] scene = scene();
    try (NDManager m = NDManager.newBaseManager()) {
      float[] batch = new float[2 * 3 * H * W]; // image 0 blank, image 1 the grey scene
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < H * W; i++) {
          batch[(3 + c) * H * W + i] = scene[i] / 255f;
        }
      }
      NDArray image = m.create(batch, new Shape(2, 3, H, W));
      CannyEdges canny = opencv(100, 200, false);
      NDArray edges = canny.detect(image);
      assertThat(edges.getShape()).isEqualTo(new Shape(2, 1, H, W));
      float[] e = edges.toFloatArray();
      boolean[] single = canny.detect(scene, H, W);
      for (int i = 0; i < H * W; i++) {
        assertThat(e[i]).isZero();
        assertThat(e[H * W + i]).isEqualTo(single[i] ? 1f : 0f);
      }
    }
  }

  @Test
  void optionsAreValidated() {
    assertThatThrownBy(() -> new CannyEdges.Options(200, 100, 1, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lowThreshold");
    assertThatThrownBy(() -> new CannyEdges.Options(-1, 100, 1, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CannyEdges.Options(1, 2, -1, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blurSigma");
    assertThatThrownBy(() -> CannyEdges.withDefaults().detect(new float[5], 2, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reflect101MirrorsWithoutRepeatingTheBorder() {
    int[] expected = {2, 1, 0, 1, 2, 3, 4, 3, 2};
    for (int i = -2; i <= 6; i++) {
      assertThat(CannyEdges.reflect101(i, 5)).isEqualTo(expected[i + 2]);
    }
    assertThat(CannyEdges.reflect101(-3, 1)).isZero();
  }

  /** A 14×16 square at rows 9..22, columns 12..27 of value {@code inside} on {@code outside}. */
  private static float[] square(float inside, float outside) {
    float[] img = new float[H * W];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        img[y * W + x] = y >= 9 && y <= 22 && x >= 12 && x <= 27 ? inside : outside;
      }
    }
    return img;
  }

  private static int count(boolean[] e) {
    int n = 0;
    for (boolean b : e) {
      n += b ? 1 : 0;
    }
    return n;
  }

  private static boolean edgeNear(boolean[] e, int y, int x, int radius) {
    return edgeNearIn(e, y, x, radius, W);
  }

  private static boolean edgeNearIn(boolean[] e, int y, int x, int radius, int w) {
    int h = e.length / w;
    for (int dy = -radius; dy <= radius; dy++) {
      for (int dx = -radius; dx <= radius; dx++) {
        int ny = y + dy;
        int nx = x + dx;
        if (ny >= 0 && ny < h && nx >= 0 && nx < w && e[ny * w + nx]) {
          return true;
        }
      }
    }
    return false;
  }

  /** Chebyshev distance from (y, x) to the rectangle's one-pixel boundary ring. */
  private static double distanceToOutline(int y, int x, int top, int left, int bottom, int right) {
    double best = Double.MAX_VALUE;
    for (int by = top; by <= bottom; by++) {
      for (int bx = left; bx <= right; bx++) {
        if (by == top || by == bottom || bx == left || bx == right) {
          best = Math.min(best, Math.max(Math.abs(by - y), Math.abs(bx - x)));
        }
      }
    }
    return best;
  }
}
