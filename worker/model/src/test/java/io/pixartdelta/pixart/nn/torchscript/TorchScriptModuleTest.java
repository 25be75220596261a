package io.pixartdelta.pixart.nn.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TorchScriptModuleTest {
  private static final String SOURCE =
      String.join(
          "\n",
          "class Ops(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def affine(self: __torch__.Ops, x: Tensor, w: Tensor, b: Tensor) -> Tensor:",
          "    return x * w + b",
          "  def scaled(self: __torch__.Ops, x: Tensor, a: float, n: int, neg: bool) -> Tensor:",
          "    y = x * a + n",
          "    if neg:",
          "      y = -y",
          "    return y",
          "  def total(self: __torch__.Ops, xs: List[Tensor], shape: List[int]) -> Tensor:",
          "    s = xs[0]",
          "    for i in range(1, len(xs)):",
          "      s = s + xs[i]",
          "    return torch.reshape(s, shape)",
          "  def split_sum(self: __torch__.Ops, x: Tensor) -> Tuple[Tensor, Tensor]:",
          "    return (x + 1.0, torch.sum(x))",
          "");

  private static TorchScriptModule module;

  @BeforeAll
  static void load() {
    module = TorchScriptModule.load("Ops", SOURCE, Device.cpu());
  }

  @AfterAll
  static void close() {
    module.close();
  }

  @Test
  void listsTheCompiledMethods() {
    assertThat(module.methodNames()).contains("affine", "scaled", "total", "split_sum");
    assertThat(module.className()).isEqualTo("Ops");
    assertThat(module.device()).isEqualTo(Device.cpu());
  }

  @Test
  void callsWithTensorsAndAttachesTheResultToTheFirstArgumentsManager() {
    try (NDManager weights = NDManager.newBaseManager();
        NDManager activations = NDManager.newBaseManager()) {
      NDArray w = weights.create(new float[] {2, 3});
      NDArray b = weights.create(new float[] {10, 20});
      weights.cap();
      NDArray x = activations.create(new float[] {1, 2});
      NDArray y = module.call("affine", x, w, b);
      assertThat(y.toFloatArray()).containsExactly(12, 26);
      assertThat(y.getManager()).isSameAs(activations);
    }
  }

  @Test
  void passesScalarsListsAndReturnsTuples() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, 2});
      assertThat(module.call("scaled", x, 0.5, 3, false).toFloatArray()).containsExactly(3.5f, 4f);
      assertThat(module.call("scaled", x, 2f, 1L, true).toFloatArray()).containsExactly(-3f, -5f);

      NDArray a = m.arange(6f);
      NDArray total = module.call("total", new NDList(a, a, a), new long[] {2, 3});
      assertThat(total.getShape()).isEqualTo(new Shape(2, 3));
      assertThat(total.toFloatArray()).containsExactly(0, 3, 6, 9, 12, 15);
      assertThat(module.call("total", new NDArray[] {a, a}, new int[] {3, 2}).getShape())
          .isEqualTo(new Shape(3, 2));

      NDList both = module.callAll("split_sum", x);
      assertThat(both).hasSize(2);
      assertThat(both.get(0).toFloatArray()).containsExactly(2, 3);
      assertThat(both.get(1).getFloat()).isEqualTo(3f);
      assertThat(both.get(1).getManager()).isSameAs(m);
    }
  }

  @Test
  void reportsMisuseClearly() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, 2});
      assertThatThrownBy(() -> module.call("nope", x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no method nope")
          .hasMessageContaining("affine");
      assertThatThrownBy(() -> module.call("affine", x, x, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("argument 2");
      assertThatThrownBy(() -> module.call("scaled", x, "a", 1, true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("java.lang.String");
      assertThatThrownBy(() -> module.call("split_sum", x))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("callAll");
      // libtorch checks the signature: a float where an int is declared
      assertThatThrownBy(() -> module.call("scaled", x, 1.0, 1.5, true))
          .isInstanceOf(EngineException.class);
      assertThatThrownBy(() -> module.call("scaled", 1.0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("NDArray argument");
    }
  }

  @Test
  void sourceThatDoesNotCompileFailsAtLoadNamingTheClass() {
    String bad =
        "class Bad(Module):\n"
            + "  training : bool\n"
            + "  def f(self: __torch__.Bad, x: Tensor) -> Tensor:\n"
            + "    return torch.no_such_op(x)\n";
    assertThatThrownBy(() -> TorchScriptModule.load("Bad", bad, Device.cpu()))
        .isInstanceOf(TorchScriptException.class)
        .hasMessageContaining("Bad")
        .hasMessageContaining("no_such_op");
  }

  @Test
  void closesWithItsOwnerAndRefusesCallsAfterClose() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1});
      NDManager owner = NDManager.newBaseManager();
      TorchScriptModule owned = TorchScriptModule.load("Ops", SOURCE, owner);
      assertThat(owned.call("affine", x, x, x).getFloat()).isEqualTo(2f);
      owner.close();
      assertThatThrownBy(() -> owned.call("affine", x, x, x))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      owned.close(); // idempotent after the owner closed it
    }
  }

  @Test
  void concurrentCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
    int threads = 4;
    int callsPerThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (NDManager shared = NDManager.newBaseManager()) {
      NDArray w = shared.randomNormal(new Shape(64, 64));
      NDArray b = shared.randomNormal(new Shape(64));
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        final int seed = t;
        results.add(
            pool.submit(
                () -> {
                  try (NDManager local = NDManager.newBaseManager()) {
                    NDArray x = local.full(new Shape(64, 64), seed + 1f);
                    NDArray expected = x.mul(w).add(b);
                    for (int i = 0; i < callsPerThread; i++) {
                      try (NDManager scope = local.newSubManager()) {
                        NDArray y = module.call("affine", x, w, b);
                        if (!y.contentEquals(expected)) {
                          return false;
                        }
                        scope.attachAll(y);
                      }
                    }
                    return true;
                  }
                }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
