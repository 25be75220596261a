package io.pixartdelta.pixart.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.Weights;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invariants of the transformer beyond the fixtures: batching, masks, memory, loading, inputs. */
class PixArtTransformerBehaviourTest {
  private static final Path TINY = Fixtures.tinyModel().resolve("transformer");
  private static PixArtConfig config;
  private static Weights weights;
  private static PixArtTransformer model;

  @BeforeAll
  static void load() {
    config = PixArtConfig.fromJson(TINY.resolve(PixArtTransformer.CONFIG_FILE));
    try (SafetensorsFile file =
        SafetensorsFile.open(TINY.resolve(PixArtTransformer.WEIGHTS_FILE))) {
      weights =
          StrictLoader.load(
              file, PixArtTransformer.weightSpec(config), Device.cpu(), DataType.FLOAT32);
    }
    model = new PixArtTransformer(config, weights, NdArrayKernels.INSTANCE);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void eachRowOfABatchIsComputedIndependently() {
    TransformerFixture f = TransformerFixture.of("main");
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = mainInputs(f, m);
      NDArray batched = forward(in);
      for (int row = 0; row < 2; row++) {
        NDList single = new NDList();
        for (NDArray a : in) {
          single.add(a.get(row + ":" + (row + 1)));
        }
        NDArray alone = forward(single);
        Parity.assertAllClose(alone, batched.get(row + ":" + (row + 1)), 1e-5, 1e-5);
      }
      // Swapping the rows swaps the outputs.
      NDList swapped = new NDList();
      for (NDArray a : in) {
        swapped.add(NDArrays.concat(new NDList(a.get("1:2"), a.get("0:1")), 0));
      }
      NDArray out = forward(swapped);
      Parity.assertAllClose(out.get("0:1"), batched.get("1:2"), 1e-5, 1e-5);
      Parity.assertAllClose(out.get("1:2"), batched.get("0:1"), 1e-5, 1e-5);
    }
  }

  @Test
  void paddedCaptionPositionsAreIgnoredAndAFullMaskEqualsNoMask() {
    TransformerFixture f = TransformerFixture.of("main");
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = mainInputs(f, m);
      NDArray reference = forward(in);
      // Changing the caption states at padded positions (mask 0) must not change the output.
      NDArray mask = in.get(3).toType(DataType.FLOAT32, false).expandDims(-1); // (B, L, 1)
      NDArray noise = m.randomNormal(in.get(2).getShape()).mul(mask.neg().add(1f)).mul(5f);
      NDList perturbed =
          new NDList(in.get(0), in.get(1), in.get(2).add(noise), in.get(3), in.get(4), in.get(5));
      Parity.assertAllClose(forward(perturbed), reference, 1e-5, 1e-5);

      NDArray ones = m.ones(in.get(3).getShape(), DataType.INT64);
      NDArray withOnes =
          model.forward(
              in.get(0), in.get(1), new Conditions(in.get(2), ones, in.get(4), in.get(5)));
      NDArray withoutMask =
          model.forward(
              in.get(0), in.get(1), new Conditions(in.get(2), null, in.get(4), in.get(5)));
      Parity.assertAllClose(withoutMask, withOnes, 0, 0);
    }
  }

  @Test
  void twentyForwardsLeaveNothingBehind() throws ReflectiveOperationException {
    TransformerFixture f = TransformerFixture.of("main");
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = mainInputs(f, m);
      NDManager system = m.getParentManager();
      // Weights sit in a capped manager: any op that would attach a result there throws.
      assertThatThrownBy(() -> weights.manager().create(1f))
          .isInstanceOf(IllegalStateException.class);
      int weightArrays = weights.manager().getManagedArrays().size();

      forward(in).close(); // the first call fills the position-embedding cache
      int callerResources = resources(m);
      int managers = resources(system);
      assertThat(model.cachedArrays()).as("one grid size: two axis tables").isEqualTo(2);
      for (int i = 0; i < 20; i++) {
        NDArray out = forward(in);
        assertThat(out.getShape()).isEqualTo(new Shape(2, 8, 16, 16));
        assertThat(out.getManager()).isSameAs(m);
        out.close();
        assertThat(resources(m))
            .as("caller manager after forward %d", i)
            .isEqualTo(callerResources);
      }
      assertThat(m.getManagedArrays()).hasSize(in.size());
      assertThat(resources(system)).as("live base managers").isEqualTo(managers);
      assertThat(weights.manager().getManagedArrays()).hasSize(weightArrays);
      assertThat(model.cachedArrays()).isEqualTo(2);
    }
  }

  @Test
  void stagesReturnTheirResultsToTheCallerOnly() throws ReflectiveOperationException {
    TransformerFixture f = TransformerFixture.of("main");
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = mainInputs(f, m);
      int before = resources(m);
      EmbeddedInputs e =
          model.embedInputs(
              in.get(0), in.get(1), new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)));
      assertThat(resources(m)).isEqualTo(before + 5);
      NDArray x = model.block(0, e.tokens(), e);
      assertThat(resources(m)).isEqualTo(before + 6);
      NDArray out = model.finalLayer(x, e);
      assertThat(resources(m)).isEqualTo(before + 7);
      NDArray patches = model.embedPatches(in.get(0));
      assertThat(resources(m)).isEqualTo(before + 8);
      Parity.assertAllClose(patches, e.tokens(), 0, 0);
      assertThat(out.getShape()).isEqualTo(new Shape(2, 8, 16, 16));
      for (NDArray a : e.arrays()) {
        assertThat(a.getManager()).isSameAs(m);
      }
    }
  }

  @Test
  void invalidInputsAreRejectedNamingTheArgument() {
    TransformerFixture f = TransformerFixture.of("main");
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = mainInputs(f, m);
      NDArray oddLatents = m.zeros(new Shape(2, 4, 15, 16));
      assertThatThrownBy(
              () ->
                  model.forward(
                      oddLatents,
                      in.get(1),
                      new Conditions(in.get(2), in.get(3), in.get(4), in.get(5))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("latents");
      NDArray oneTimestep = m.create(new long[] {999});
      assertThatThrownBy(
              () ->
                  model.forward(
                      in.get(0),
                      oneTimestep,
                      new Conditions(in.get(2), in.get(3), in.get(4), in.get(5))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timesteps");
      NDArray wideCaptions = m.zeros(new Shape(2, 120, 33));
      assertThatThrownBy(
              () ->
                  model.forward(
                      in.get(0),
                      in.get(1),
                      new Conditions(wideCaptions, in.get(3), in.get(4), in.get(5))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("captions");
      assertThatThrownBy(
              () ->
                  model.forward(
                      in.get(0), in.get(1), new Conditions(in.get(2), in.get(3), null, in.get(5))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("resolution");
      // Nothing leaked into the caller's manager from the rejected calls.
      assertThat(m.getManagedArrays()).hasSize(in.size() + 3);
    }
  }

  @Test
  void storedNullCaptionEmbeddingIsIgnoredAndOtherExtrasAreNot(@TempDir Path dir)
      throws IOException {
    Files.copy(
        TINY.resolve(PixArtTransformer.CONFIG_FILE), dir.resolve(PixArtTransformer.CONFIG_FILE));
    Path weightsFile = dir.resolve(PixArtTransformer.WEIGHTS_FILE);
    withExtraTensor(
        TINY.resolve(PixArtTransformer.WEIGHTS_FILE),
        weightsFile,
        "caption_projection.y_embedding");
    try (PixArtTransformer loaded =
        PixArtTransformer.load(dir, Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE)) {
      assertThat(loaded.numBlocks()).isEqualTo(3);
    }
    withExtraTensor(
        TINY.resolve(PixArtTransformer.WEIGHTS_FILE), weightsFile, "pos_embed.pos_embed_extra");
    assertThatThrownBy(
            () ->
                PixArtTransformer.load(
                    dir, Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("pos_embed.pos_embed_extra");
  }

  @Test
  void missingWeightsAreAStartupError(@TempDir Path dir) throws IOException {
    Files.copy(
        TINY.resolve(PixArtTransformer.CONFIG_FILE), dir.resolve(PixArtTransformer.CONFIG_FILE));
    assertThatThrownBy(
            () ->
                PixArtTransformer.load(
                    dir, Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining(dir.toString());
  }

  private static NDArray forward(NDList in) {
    return model.forward(
        in.get(0), in.get(1), new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)));
  }

  private static NDList mainInputs(TransformerFixture f, NDManager m) {
    return new NDList(
        f.input(m, "latents"),
        f.input(m, "timestep"),
        f.input(m, "encoder_hidden_states"),
        f.input(m, "encoder_attention_mask"),
        f.input(m, "resolution"),
        f.input(m, "aspect_ratio"));
  }

  /** Resources (arrays and sub-managers) directly attached to {@code manager}. */
  private static int resources(NDManager manager) throws ReflectiveOperationException {
    Field f = BaseNDManager.class.getDeclaredField("resources");
    f.setAccessible(true);
    return ((Map<?, ?>) f.get(manager)).size();
  }

  /** Copies a safetensors file, appending one small F32 tensor named {@code extra}. */
  private static void withExtraTensor(Path source, Path target, String extra) throws IOException {
    byte[] bytes = Files.readAllBytes(source);
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = (int) in.getLong();
    String header = new String(bytes, 8, headerLength, StandardCharsets.UTF_8).trim();
    int dataLength = bytes.length - 8 - headerLength;
    String entry =
        "\""
            + extra
            + "\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":["
            + dataLength
            + ","
            + (dataLength + 16)
            + "]}";
    String newHeader = "{" + entry + "," + header.substring(1);
    while ((newHeader.length() + 8) % 8 != 0) {
      newHeader = newHeader + " ";
    }
    byte[] h = newHeader.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out =
        ByteBuffer.allocate(8 + h.length + dataLength + 16).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(h.length).put(h).put(bytes, 8 + headerLength, dataLength);
    for (int i = 0; i < 4; i++) {
      out.putFloat(i);
    }
    Files.write(target, out.array());
  }
}
