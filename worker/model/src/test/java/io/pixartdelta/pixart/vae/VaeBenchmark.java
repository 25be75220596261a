package io.pixartdelta.pixart.vae;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Prints VAE timings on CPU in fp32: the tiny model's decode at 256 px (batch 1 and 4) and single
 * realistic blocks, each three ways: plain NDArray ops, op by op through the fused TorchScript
 * kernels, and whole-block TorchScript calls. Not a test: run it by hand after {@code mvn
 * test-compile}:
 *
 * <pre>
 * mvn -B -ntp -q dependency:build-classpath -pl worker/model -Dmdep.outputFile=/tmp/cp.txt
 * java -Dai.djl.offline=true -cp worker/model/target/test-classes:worker/model/target/classes:$(cat /tmp/cp.txt) \
 *     io.pixartdelta.pixart.vae.VaeBenchmark [iterations] [tiny|blocks|all]
 * </pre>
 *
 * <p>Each configuration gets freshly compiled modules, so the first call shows what libtorch's
 * graph executor spends on a shape it has not seen (profiling, then optimising). {@code
 * -Dbench.optimize=false} switches the graph executor's optimisation off on the benchmark thread
 * ({@code JniUtils.setGraphExecutorOptimize}: a thread-local libtorch setting, which DJL's {@code
 * ai.djl.pytorch.graph_optimizer} property only applies inside {@code PtSymbolBlock.forward}, never
 * to methods called through {@code IValueUtils.runMethod}). With {@code
 * -Dai.djl.pytorch.num_threads=1 -Dbench.cpuTime=true} the figures are the benchmark thread's CPU
 * time, which a shared machine disturbs less than wall time.
 */
public final class VaeBenchmark {
  private static final boolean CPU_TIME = Boolean.getBoolean("bench.cpuTime");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private enum Mode {
    PLAIN("plain (NDArray)"),
    FUSED("fused kernels, op by op"),
    SCRIPT("whole-block script");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  private VaeBenchmark() {}

  public static void main(String[] args) {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String what = args.length > 1 ? args[1] : "all";
    boolean optimize = !"false".equals(System.getProperty("bench.optimize"));
    Engine.getEngine("PyTorch"); // loads the native library
    JniUtils.setGraphExecutorOptimize(optimize);
    System.out.printf(
        Locale.ROOT,
        "VAE benchmark: fp32 CPU, %s, graph executor optimisation %s, median of %d%n",
        CPU_TIME ? "thread CPU ms" : "wall ms",
        optimize ? "on" : "off",
        iterations);
    if (!"blocks".equals(what)) {
      tinyDecode(iterations);
    }
    if (!"tiny".equals(what)) {
      realisticBlocks(Math.max(1, iterations / 2));
    }
  }

  /** The tiny fixture VAE (same config as the bench command's tiny model), 32×32 latents. */
  private static void tinyDecode(int iterations) {
    System.out.printf(
        Locale.ROOT,
        "%-36s %5s %10s %10s %10s%n",
        "tiny VAE decode 256 px",
        "batch",
        "1st call",
        "2nd call",
        "median");
    for (int batch : new int[] {1, 4}) {
      for (Mode mode : Mode.values()) {
        try (TorchScriptKernels fused = TorchScriptKernels.load(Device.cpu());
            AutoencoderKl vae =
                AutoencoderKl.load(
                    Fixtures.path("model/vae"),
                    Device.cpu(),
                    DataType.FLOAT32,
                    mode == Mode.PLAIN ? NdArrayKernels.INSTANCE : fused,
                    AutoencoderKl.DEFAULT_QUERY_CHUNK,
                    mode == Mode.SCRIPT);
            NDManager m = NDManager.newBaseManager(Device.cpu())) {
          m.getEngine().setRandomSeed(0);
          NDArray z = m.randomNormal(new Shape(batch, 4, 32, 32)); // (B, L, h, w)
          double[] t = time(iterations, m, vae::decode, z);
          System.out.printf(
              Locale.ROOT, "%-36s %5d %10.1f %10.1f %10.1f%n", mode.label, batch, t[0], t[1], t[2]);
        }
      }
    }
  }

  /** One resnet and one mid block at real SD-VAE widths, batch 1, random weights. */
  private static void realisticBlocks(int iterations) {
    System.out.printf(
        Locale.ROOT,
        "%-36s %5s %10s %10s %10s%n",
        "realistic block, batch 1",
        "",
        "1st call",
        "2nd call",
        "median");
    block("resnet 512 ch at 128x128", 512, 128, false, iterations);
    block("resnet 128 ch at 512x512", 128, 512, false, iterations);
    block("mid block 512 ch at 64x64 (4096 tok)", 512, 64, true, iterations);
  }

  private static void block(String name, int channels, int size, boolean mid, int iterations) {
    try (NDManager weights = NDManager.newBaseManager(Device.cpu());
        TorchScriptKernels fused = TorchScriptKernels.load(Device.cpu());
        VaeBlockScript script = VaeBlockScript.load(Device.cpu());
        NDManager m = NDManager.newBaseManager(Device.cpu())) {
      weights.getEngine().setRandomSeed(1);
      VaeParams random = randomParams(weights);
      NDArray x = m.randomNormal(new Shape(1, channels, size, size)); // (1, C, H, W)
      for (Mode mode : Mode.values()) {
        Kernels kernels = mode == Mode.PLAIN ? NdArrayKernels.INSTANCE : fused;
        VaeBlockScript s = mode == Mode.SCRIPT ? script : null;
        UnaryOperator<NDArray> op;
        if (mid) {
          MidBlock block =
              new MidBlock(
                  random, "mid", channels, 32, true, kernels, s, AutoencoderKl.DEFAULT_QUERY_CHUNK);
          op = block::forward;
        } else {
          ResnetBlock resnet = new ResnetBlock(random, "r", channels, channels, 32, kernels);
          if (s == null) {
            op = resnet::forward;
          } else {
            List<NDArray> params = new ArrayList<>();
            resnet.appendTo(params);
            op = h -> s.upBlock(h, 32, GroupNormLayer.EPS, 1, false, false, params);
          }
        }
        double[] t = time(iterations, m, op, x);
        System.out.printf(
            Locale.ROOT,
            "%-36s %5s %10.1f %10.1f %10.1f%n",
            name + ": " + mode.name().toLowerCase(Locale.ROOT),
            "",
            t[0],
            t[1],
            t[2]);
      }
    }
  }

  /** Normal(0, 0.02) weights, GroupNorm gammas 1 and betas 0, owned by {@code weights}. */
  private static VaeParams randomParams(NDManager weights) {
    return new VaeParams() {
      @Override
      public NDArray get(String name, long... shape) {
        if (name.contains("norm") && name.endsWith(".weight")) {
          return weights.ones(new Shape(shape));
        }
        if (name.endsWith(".bias")) {
          return weights.zeros(new Shape(shape));
        }
        return weights.randomNormal(0f, 0.02f, new Shape(shape), DataType.FLOAT32);
      }

      @Override
      public NDArray getOrOld(String name, String oldName, long... shape) {
        return get(name, shape);
      }
    };
  }

  /** {first call, second call, median of the next {@code iterations}} in ms. */
  private static double[] time(
      int iterations, NDManager root, UnaryOperator<NDArray> op, NDArray input) {
    double[] warm = new double[2];
    double[] runs = new double[iterations];
    for (int i = 0; i < 2 + iterations; i++) {
      try (NDManager scope = root.newSubManager()) {
        scope.tempAttachAll(input);
        long t0 = now();
        NDArray out = op.apply(input);
        out.toType(DataType.FLOAT32, false).sum().getFloat(); // forces the work to finish
        double ms = (now() - t0) / 1e6;
        if (i < 2) {
          warm[i] = ms;
        } else {
          runs[i - 2] = ms;
        }
      }
    }
    Arrays.sort(runs);
    return new double[] {warm[0], warm[1], runs[iterations / 2]};
  }

  private static long now() {
    return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }
}
