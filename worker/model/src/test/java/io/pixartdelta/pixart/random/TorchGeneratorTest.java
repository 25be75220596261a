package io.pixartdelta.pixart.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TorchGeneratorTest {

  /** One draw of a fixture case: which generator state, which shape, which golden file. */
  record Draw(
      String caseId, long seed, int order, long[] shape, String file, double atol, double rtol) {
    @Override
    public String toString() {
      return caseId + " #" + order;
    }
  }

  /** Every rng case of the manifest, consecutive draws grouped by case, in draw order. */
  static List<List<Draw>> rngCases() throws IOException {
    JsonNode manifest = new ObjectMapper().readTree(Fixtures.path("manifest.json").toFile());
    List<List<Draw>> cases = new ArrayList<>();
    for (JsonNode c : manifest.get("cases")) {
      if (!c.get("kind").asText().equals("rng")) {
        continue;
      }
      String id = c.get("id").asText();
      JsonNode call = c.get("call");
      long seed = call.get("seed").asLong();
      List<Draw> draws = new ArrayList<>();
      if (call.has("draws_in_order")) {
        JsonNode order = call.get("draws_in_order");
        for (int i = 0; i < order.size(); i++) {
          draws.add(draw(id, seed, i, order.get(i).get("shape"), c.get("outputs").get("draw" + i)));
        }
      } else {
        draws.add(draw(id, seed, 0, call.get("shape"), c.get("outputs").get("values")));
      }
      cases.add(draws);
    }
    return cases;
  }

  private static Draw draw(String id, long seed, int order, JsonNode shape, JsonNode output) {
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).asLong();
    }
    JsonNode tol = output.get("tolerance");
    return new Draw(
        id,
        seed,
        order,
        dims,
        output.get("file").asText(),
        tol.get("atol").asDouble(),
        tol.get("rtol").asDouble());
  }

  static Stream<List<Draw>> cases() throws IOException {
    return rngCases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Tag("parity")
  void reproducesTorchRandnBitForBit(List<Draw> draws) {
    TorchGenerator generator = new TorchGenerator(draws.get(0).seed());
    for (Draw d : draws) {
      float[] actual = generator.randn(d.shape());
      float[] expected = Fixtures.npy(d.file()).toFloatArray();
      Parity.assertAllClose(actual, expected, d.atol(), d.rtol());
      assertThat(bitIdentical(actual, expected))
          .as(d + " bit-identical values")
          .isEqualTo(expected.length);
    }
  }

  @Test
  void everyRngFixtureFileIsCoveredByTheManifest() throws IOException {
    Set<String> covered =
        rngCases().stream()
            .flatMap(List::stream)
            .map(Draw::file)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> onDisk;
    try (Stream<Path> files = Files.list(Fixtures.path("rng"))) {
      onDisk =
          files
              .map(p -> "rng/" + p.getFileName())
              .filter(n -> n.endsWith(".npy"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertThat(covered).isEqualTo(onDisk).hasSize(15);
  }

  @Test
  void onlyTheLow32BitsOfTheSeedMatter() {
    float[] a = new TorchGenerator(5).randn(2, 40);
    float[] b = new TorchGenerator((1L << 32) + 5).randn(2, 40);
    float[] c = new TorchGenerator(-(1L << 40) + 5).randn(2, 40);
    assertThat(b).containsExactly(a);
    assertThat(c).containsExactly(a);
  }

  @Test
  void smallDrawsShareTheCachedSpareAsAtenDoes() {
    // ATen's normal_distribution<double> caches r·sin θ; the next small-path element uses it.
    float[] four = new TorchGenerator(11).randn(4);
    TorchGenerator split = new TorchGenerator(11);
    float[] three = split.randn(3);
    float[] one = split.randn(1);
    assertThat(new float[] {three[0], three[1], three[2], one[0]}).containsExactly(four);
  }

  @Test
  void largeDrawsContinueTheStreamWithoutTouchingTheSpare() {
    // A 3-element draw uses 8 outputs and leaves a spare; a 16-element draw then uses the next 16
    // outputs, and a following 1-element draw returns the spare.
    TorchGenerator g = new TorchGenerator(3);
    float[] small = g.randn(3);
    float[] large = g.randn(16);
    float[] spare = g.randn(1);
    float[] reference = new TorchGenerator(3).randn(4);
    assertThat(small).containsExactly(reference[0], reference[1], reference[2]);
    assertThat(spare).containsExactly(reference[3]);

    // The same 16 values directly: skip 8 outputs with a 3-element draw from a fresh generator.
    TorchGenerator h = new TorchGenerator(3);
    h.randn(3);
    assertThat(h.randn(4, 4)).containsExactly(large);
  }

  @Test
  void tailBlockIsRedrawnWhenTheCountIsNotAMultipleOf16() {
    // 17 values: the first block of 16 is transformed, then 16 fresh uniforms overwrite 1..16;
    // element 0 is therefore the same as in a 16-value draw.
    float[] sixteen = new TorchGenerator(0).randn(16);
    float[] seventeen = new TorchGenerator(0).randn(17);
    assertThat(seventeen[0]).isEqualTo(sixteen[0]);
    assertThat(seventeen[1]).isNotEqualTo(sixteen[1]);
  }

  @Test
  void scalarAndEmptyShapes() {
    assertThat(new TorchGenerator(0).randn()).hasSize(1);
    assertThat(new TorchGenerator(0).randn(0, 7)).isEmpty();
    assertThat(new TorchGenerator(0).randn()[0]).isEqualTo(new TorchGenerator(0).randn(1)[0]);
  }

  @Test
  void rejectsBadShapes() {
    TorchGenerator g = new TorchGenerator(0);
    assertThatThrownBy(() -> g.randn(2, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> g.randn(1L << 20, 1L << 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("elements");
  }

  @Test
  void drawsIntoAnNdArrayOfTheManager() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = new TorchGenerator(0).randn(manager, new Shape(1, 4, 16, 16));
      assertThat(a.getShape()).isEqualTo(new Shape(1, 4, 16, 16));
      assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(a.getManager()).isSameAs(manager);
      assertThat(a.toFloatArray())
          .containsExactly(Fixtures.npy("rng/seed0_1x4x16x16.npy").toFloatArray());
    }
  }

  private static int bitIdentical(float[] a, float[] b) {
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) == Float.floatToRawIntBits(b[i])) {
        same++;
      }
    }
    return same;
  }
}
