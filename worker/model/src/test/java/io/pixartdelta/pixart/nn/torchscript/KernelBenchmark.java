package io.pixartdelta.pixart.nn.torchscript;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Prints milliseconds per call of the op-by-op and the TorchScript kernels (and of a whole PixArt
 * block three ways) on CPU in fp32. Not a test: run it by hand after {@code mvn test-compile}:
 *
 * <pre>
 * mvn -B -ntp -q dependency:build-classpath -pl worker/model -Dmdep.outputFile=/tmp/cp.txt
 * java -Dai.djl.offline=true -cp worker/model/target/test-classes:worker/model/target/classes:$(cat /tmp/cp.txt) \
 *     io.pixartdelta.pixart.nn.torchscript.KernelBenchmark [iterations]
 * </pre>
 *
 * <p>On a shared machine add {@code -Dai.djl.pytorch.num_threads=1 -Dbench.cpuTime=true}: with one
 * intra-op thread libtorch computes on the calling thread, so that thread's CPU time measures the
 * work without the noise of other processes competing for the cores.
 */
public final class KernelBenchmark {
  private static final boolean CPU_TIME = Boolean.getBoolean("bench.cpuTime");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private KernelBenchmark() {}

  private static long now() {
    return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  public static void main(String[] args) {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Kernels plain = NdArrayKernels.INSTANCE;
    try (NDManager root = NDManager.newBaseManager(Device.cpu());
        TorchScriptKernels fused = TorchScriptKernels.load(root);
        PixArtBlockScript block = PixArtBlockScript.load(root)) {
      root.getEngine().setRandomSeed(0);
      System.out.printf(
          Locale.ROOT,
          "%-44s %12s %12s %8s%n",
          CPU_TIME ? "case (fp32, CPU; thread CPU time)" : "case (fp32, CPU; wall time)",
          "NDArray ms",
          "TScript ms",
          "ratio");

      NDArray small = root.randomNormal(new Shape(1, 16));
      compare(
          "geluTanh 1x16 (per-call overhead)",
          200,
          iterations * 100,
          root,
          plain,
          fused,
          k -> k.geluTanh(small),
          small);

      NDArray q = root.randomNormal(new Shape(2, 16, 1024, 72));
      NDArray k = root.randomNormal(new Shape(2, 16, 1024, 72));
      NDArray v = root.randomNormal(new Shape(2, 16, 1024, 72));
      float scale = (float) (1 / Math.sqrt(72));
      compare(
          "attention 2x16x1024x72",
          2,
          iterations,
          root,
          plain,
          fused,
          kk -> kk.attention(q, k, v, null, scale),
          q,
          k,
          v);
      NDArray bias = root.zeros(new Shape(2, 1, 1, 1024));
      compare(
          "attention 2x16x1024x72 + bias (2,1,1,1024)",
          2,
          iterations,
          root,
          plain,
          fused,
          kk -> kk.attention(q, k, v, bias, scale),
          q,
          k,
          v,
          bias);
      NDArray cq = root.randomNormal(new Shape(2, 16, 1024, 72));
      NDArray ck = root.randomNormal(new Shape(2, 16, 120, 72));
      NDArray cbias = root.zeros(new Shape(2, 1, 1, 120));
      compare(
          "cross-attention 2x16x1024x120x72 + bias",
          2,
          iterations,
          root,
          plain,
          fused,
          kk -> kk.attention(cq, ck, ck, cbias, scale),
          cq,
          ck,
          cbias);

      NDArray img = root.randomNormal(new Shape(1, 128, 256, 256));
      NDArray gamma = root.randomNormal(new Shape(128));
      NDArray beta = root.randomNormal(new Shape(128));
      compare(
          "groupNorm 1x128x256x256, 32 groups",
          2,
          iterations,
          root,
          plain,
          fused,
          kk -> kk.groupNorm(img, 32, gamma, beta, 1e-6f),
          img,
          gamma,
          beta);

      NDArray tokens = root.randomNormal(new Shape(2, 1024, 1152));
      compare(
          "layerNorm 2x1024x1152",
          2,
          iterations,
          root,
          plain,
          fused,
          kk -> kk.layerNorm(tokens, 1e-6f),
          tokens);
      NDArray hidden = root.randomNormal(new Shape(2, 1024, 4608));
      compare(
          "geluTanh 2x1024x4608",
          2,
          iterations,
          root,
          plain,
          fused,
          kk -> kk.geluTanh(hidden),
          hidden);
      NDArray t5 = root.randomNormal(new Shape(1, 120, 4096));
      NDArray rmsWeight = root.randomNormal(new Shape(4096));
      compare(
          "rmsNorm 1x120x4096",
          2,
          iterations,
          root,
          plain,
          fused,
          kk -> kk.rmsNorm(t5, rmsWeight, 1e-6f),
          t5,
          rmsWeight);

      blocks(root, plain, fused, block, iterations);
    }
  }

  /** One PixArt-XL block (D 1152, 16 heads, FF 4608), 1024 tokens (512 px), 120 caption tokens. */
  private static void blocks(
      NDManager root, Kernels plain, Kernels fused, PixArtBlockScript block, int iterations) {
    try (NDManager weights = root.newSubManager()) {
      List<NDArray> params = PixArtBlockScriptTest.randomParams(weights, 1152, 4608);
      weights.cap();
      NDArray x = root.randomNormal(new Shape(1, 1024, 1152));
      NDArray mod = root.randomNormal(new Shape(1, 6 * 1152)).mul(0.1f);
      NDArray y = root.randomNormal(new Shape(1, 120, 1152));
      NDArray bias = root.zeros(new Shape(1, 1, 1, 120));
      double a =
          time(
              2,
              iterations,
              root,
              () -> ComposedPixArtBlock.forward(plain, x, mod, y, bias, 16, 1e-6f, params),
              x,
              mod,
              y,
              bias);
      double b =
          time(
              2,
              iterations,
              root,
              () -> ComposedPixArtBlock.forward(fused, x, mod, y, bias, 16, 1e-6f, params),
              x,
              mod,
              y,
              bias);
      double c =
          time(
              2,
              iterations,
              root,
              () -> block.forward(x, mod, y, bias, 16, 1e-6f, params),
              x,
              mod,
              y,
              bias);
      System.out.printf(
          Locale.ROOT, "%-44s %12.3f%n", "PixArt-XL block 1x1024: op by op, NDArray", a);
      System.out.printf(
          Locale.ROOT, "%-44s %12.3f%n", "PixArt-XL block 1x1024: op by op, TScript kernels", b);
      System.out.printf(
          Locale.ROOT,
          "%-44s %12.3f %8.2f%n",
          "PixArt-XL block 1x1024: one TScript method",
          c,
          a / c);
    }
  }

  private static void compare(
      String label,
      int warmup,
      int iterations,
      NDManager root,
      Kernels plain,
      Kernels fused,
      Function<Kernels, NDArray> op,
      NDArray... inputs) {
    double a = time(warmup, iterations, root, () -> op.apply(plain), inputs);
    double b = time(warmup, iterations, root, () -> op.apply(fused), inputs);
    System.out.printf(Locale.ROOT, "%-44s %12.3f %12.3f %8.2f%n", label, a, b, a / b);
  }

  /**
   * Median milliseconds of {@code iterations} runs after {@code warmup}, each in its own scope that
   * borrows {@code inputs} so every intermediate is freed per run.
   */
  private static double time(
      int warmup,
      int iterations,
      NDManager root,
      java.util.function.Supplier<NDArray> op,
      NDArray... inputs) {
    double[] ms = new double[iterations];
    for (int i = -warmup; i < iterations; i++) {
      try (NDManager scope = root.newSubManager()) {
        scope.tempAttachAll(inputs);
        long start = now();
        NDArray out = op.get();
        long end = now();
        scope.attachAll(out);
        if (i >= 0) {
          ms[i] = (end - start) / 1e6;
        }
      }
    }
    Arrays.sort(ms);
    return ms[iterations / 2];
  }
}
