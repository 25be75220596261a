package io.pixartdelta.pixart.controlnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.Parity;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.transformer.Conditions;
import io.pixartdelta.pixart.transformer.EmbeddedInputs;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.weights.Weights;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariants of the ControlNet-Transformer beyond the fixture: the conditioning scale, exact
 * reduction to the base model, the stage composition, memory and input checks.
 */
class ControlNetBehaviourTest {
  private static PixArtConfig config;
  private static PixArtTransformer base;
  private static ControlNetAdapter adapter;
  private static PixArtControlNetTransformer model;

  @BeforeAll
  static void load() {
    config = PixArtConfig.fromJson(ControlNetFixture.transformerDir().resolve("config.json"));
    base =
        PixArtTransformer.load(
            ControlNetFixture.transformerDir(),
            Device.cpu(),
            DataType.FLOAT32,
            NdArrayKernels.INSTANCE);
    adapter =
        ControlNetAdapter.loadFolder(
            ControlNetFixture.adapterDir(),
            config,
            Device.cpu(),
            DataType.FLOAT32,
            NdArrayKernels.INSTANCE);
    model = new PixArtControlNetTransformer(base, adapter);
  }

  @AfterAll
  static void close() {
    adapter.close();
    base.close();
  }

  @Test
  void scaleZeroAndNoControlReproduceTheBaseModelExactly() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = ControlNetFixture.forward().inputs(m);
      NDArray plain =
          base.forward(
              in.get(0), in.get(1), new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)));
      NDArray scaleZero = forward(in, in.get(6), 0f);
      NDArray noControl = forward(in, null, 1f);
      assertThat(scaleZero.toFloatArray()).containsExactly(plain.toFloatArray());
      assertThat(noControl.toFloatArray()).containsExactly(plain.toFloatArray());
      // ... and the branch does change the output when it is on.
      NDArray controlled = forward(in, in.get(6), 1f);
      assertThat(Parity.relativeL2(controlled.toFloatArray(), plain.toFloatArray()))
          .isGreaterThan(1e-2);
    }
  }

  @Test
  void theScaleMultipliesOnlyTheInjectedResiduals() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = ControlNetFixture.forward().inputs(m);
      Map<String, NDArray> one = captured(m, in, 1f);
      Map<String, NDArray> two = captured(m, in, 2f);
      assertThat(two.keySet()).isEqualTo(one.keySet());
      // The control stream and its residuals never see the scale.
      for (int k = 0; k < adapter.numLayers(); k++) {
        for (String part : new String[] {".control_state", ".to_base"}) {
          String name = "controlnet.controlnet_blocks." + k + part;
          assertThat(two.get(name).toFloatArray())
              .as(name)
              .containsExactly(one.get(name).toFloatArray());
        }
      }
      assertThat(two.get("transformer.transformer_blocks.0").toFloatArray())
          .containsExactly(one.get("transformer.transformer_blocks.0").toFloatArray());
      // Base block 1 sees x0 + s·r0: recompute it from the stages for s = 2.
      EmbeddedInputs inputs =
          base.embedInputs(
              in.get(0), in.get(1), new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)));
      NDArray x0 = two.get("transformer.transformer_blocks.0");
      NDArray r0 = two.get("controlnet.controlnet_blocks.0.to_base");
      NDArray block1 = base.block(1, x0.add(r0.mul(2f)), inputs);
      Parity.assertAllClose(block1, two.get("transformer.transformer_blocks.1"), 1e-6, 1e-6);
      // Scale 2 is not scale 1: the base stream and output move.
      NDArray out1 = forward(in, in.get(6), 1f);
      NDArray out2 = forward(in, in.get(6), 2f);
      assertThat(Parity.relativeL2(out2.toFloatArray(), out1.toFloatArray())).isGreaterThan(1e-2);
    }
  }

  @Test
  void stagesComposeToTheForwardPass() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = ControlNetFixture.forward().inputs(m);
      float scale = 0.5f;
      EmbeddedInputs inputs =
          base.embedInputs(
              in.get(0), in.get(1), new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)));
      NDArray x = base.block(0, inputs.tokens(), inputs);
      NDArray c = adapter.start(x, base.embedPatches(in.get(6)));
      for (int k = 0; k < adapter.numLayers(); k++) {
        c = adapter.block(k, c, inputs);
        x = base.block(k + 1, x.add(adapter.toBase(k, c).mul(scale)), inputs);
      }
      for (int i = adapter.numLayers() + 1; i < base.numBlocks(); i++) {
        x = base.block(i, x, inputs);
      }
      NDArray expected = base.finalLayer(x, inputs);
      Parity.assertAllClose(forward(in, in.get(6), scale), expected, 0, 0);
    }
  }

  @Test
  void repeatedForwardsLeaveNothingBehind() throws ReflectiveOperationException {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = ControlNetFixture.forward().inputs(m);
      NDManager system = m.getParentManager();
      // Weights sit in capped managers: any op that would attach a result there throws.
      assertThatThrownBy(() -> adapter.weights().manager().create(1f))
          .isInstanceOf(IllegalStateException.class);
      int adapterArrays = adapter.weights().manager().getManagedArrays().size();

      forward(in, in.get(6), 1f).close(); // fills the base position-embedding cache
      int callerResources = resources(m);
      int managers = resources(system);
      for (int i = 0; i < 10; i++) {
        NDArray out = forward(in, in.get(6), i % 2 == 0 ? 1f : 0.7f);
        assertThat(out.getShape()).isEqualTo(new Shape(2, 8, 16, 16));
        assertThat(out.getManager()).isSameAs(m);
        out.close();
        assertThat(resources(m))
            .as("caller manager after forward %d", i)
            .isEqualTo(callerResources);
      }
      assertThat(m.getManagedArrays()).hasSize(in.size());
      assertThat(resources(system)).as("live base managers").isEqualTo(managers);
      assertThat(adapter.weights().manager().getManagedArrays()).hasSize(adapterArrays);
    }
  }

  @Test
  void invalidInputsAreRejectedNamingTheArgument() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = ControlNetFixture.forward().inputs(m);
      NDArray smallControl = m.zeros(new Shape(2, 4, 8, 8));
      assertThatThrownBy(() -> forward(in, smallControl, 1f))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("controlLatents");
      // Even when the branch would be skipped.
      assertThatThrownBy(() -> forward(in, smallControl, 0f))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("controlLatents");
      assertThatThrownBy(() -> forward(in, in.get(6), Float.NaN))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("conditioningScale");
      assertThatThrownBy(() -> forward(in, in.get(6), Float.POSITIVE_INFINITY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("conditioningScale");
      assertThat(m.getManagedArrays()).hasSize(in.size() + 1);
    }
  }

  @Test
  void anAdapterNeedsFewerCopiesThanTheBaseHasBlocks() {
    // Three copies for a three-block base: copy 2 would feed a base block 3 that does not exist.
    ControlNetAdapterConfig three = new ControlNetAdapterConfig(base.numBlocks());
    NDManager manager = NDManager.newBaseManager();
    Map<String, NDArray> params = new LinkedHashMap<>();
    ControlNetAdapter.weightSpec(three, config)
        .expected()
        .forEach((name, shape) -> params.put(name, manager.zeros(shape)));
    try (ControlNetAdapter tooDeep =
        new ControlNetAdapter(
            three, config, new Weights(manager, params), NdArrayKernels.INSTANCE)) {
      assertThat(tooDeep.numLayers()).isEqualTo(3);
      assertThatThrownBy(() -> new PixArtControlNetTransformer(base, tooDeep))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("3 copied blocks");
    }
  }

  private static NDArray forward(NDList in, NDArray control, float scale) {
    return model.forward(
        in.get(0),
        in.get(1),
        new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)),
        control,
        scale);
  }

  /** Copies of every intermediate of one forward pass, in {@code m}. */
  private static Map<String, NDArray> captured(NDManager m, NDList in, float scale) {
    Map<String, NDArray> out = new HashMap<>();
    model
        .forward(
            in.get(0),
            in.get(1),
            new Conditions(in.get(2), in.get(3), in.get(4), in.get(5)),
            in.get(6),
            scale,
            (name, value) -> out.put(name, m.create(value.toFloatArray(), value.getShape())))
        .close();
    return out;
  }

  /** Resources (arrays and sub-managers) directly attached to {@code manager}. */
  private static int resources(NDManager manager) throws ReflectiveOperationException {
    Field f = BaseNDManager.class.getDeclaredField("resources");
    f.setAccessible(true);
    return ((Map<?, ?>) f.get(manager)).size();
  }
}
