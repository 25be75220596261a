package io.pixartdelta.pixart.text;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import io.pixartdelta.pixart.tools.RandomWeights;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Prints milliseconds per T5 block, op by op ({@link NdArrayKernels}) versus one TorchScript call
 * per block ({@link TorchScriptKernels} → {@code T5BlockScript}), for full and int8 weights, on CPU
 * in fp32, batch 1, L = 120, random weights: the tiny fixture sizes (2 blocks) and one real T5-XXL
 * block (d_model 4096, 64 heads × 64, d_ff 10240). Each figure is the marginal cost of a block: the
 * difference between encoder passes with more and fewer blocks (which cancels the embedding, bias
 * and final norm), divided by the difference in block count. Not a test: run it by hand after
 * {@code mvn test-compile}:
 *
 * <pre>
 * mvn -B -ntp -q dependency:build-classpath -pl worker/model -Dmdep.outputFile=/tmp/cp.txt
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dbench.cpuTime=true \
 *     -cp worker/model/target/test-classes:worker/model/target/classes:$(cat /tmp/cp.txt) \
 *     io.pixartdelta.pixart.text.T5BlockBenchmark [iterations [tiny]]
 * </pre>
 *
 * <p>With one intra-op thread and {@code bench.cpuTime} the calling thread's CPU time measures the
 * work without the noise of other processes on a shared machine.
 */
public final class T5BlockBenchmark {
  private static final boolean CPU_TIME = Boolean.getBoolean("bench.cpuTime");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int LENGTH = 120;

  private T5BlockBenchmark() {}

  public static void main(String[] args) {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    boolean tinyOnly = args.length > 1 && args[1].equals("tiny");
    T5Config xxl = T5Config.t5V11Xxl();
    T5Config tiny =
        new T5Config(32, 8, 4, 64, 1, 1152, 32, 128, 1e-6, "gated-gelu", "gelu_new", true);
    T5Config xxlSizes =
        new T5Config(
            xxl.dModel(),
            xxl.dKv(),
            xxl.numHeads(),
            xxl.dFf(),
            1,
            1152, // the embedding table's size does not change the block's cost
            xxl.relativeAttentionNumBuckets(),
            xxl.relativeAttentionMaxDistance(),
            xxl.layerNormEpsilon(),
            xxl.feedForwardProj(),
            xxl.denseActFn(),
            xxl.gatedAct());
    System.out.printf(
        Locale.ROOT,
        "%-36s %12s %12s %8s%n",
        CPU_TIME ? "T5 block, B=1 L=120 (fp32 CPU; CPU time)" : "T5 block, B=1 L=120 (wall)",
        "NDArray ms",
        "TScript ms",
        "ratio");
    try (TorchScriptKernels fused = TorchScriptKernels.load(Device.cpu())) {
      for (T5WeightStorage storage : T5WeightStorage.values()) {
        compare("tiny (d 32) " + storage, tiny, 9, storage, fused, iterations * 20);
        if (!tinyOnly) {
          compare("T5-XXL block (d 4096) " + storage, xxlSizes, 2, storage, fused, iterations);
        }
      }
    }
  }

  private static void compare(
      String label,
      T5Config oneBlock,
      int blocks,
      T5WeightStorage storage,
      Kernels fused,
      int iterations) {
    double plain = msPerBlock(oneBlock, blocks, storage, NdArrayKernels.INSTANCE, iterations);
    double script = msPerBlock(oneBlock, blocks, storage, fused, iterations);
    System.out.printf(
        Locale.ROOT, "%-36s %12.3f %12.3f %8.2f%n", label, plain, script, plain / script);
  }

  /** (time with {@code blocks} blocks − time with one) / ({@code blocks} − 1). */
  private static double msPerBlock(
      T5Config oneBlock, int blocks, T5WeightStorage storage, Kernels kernels, int iterations) {
    double one = msPerPass(oneBlock, storage, kernels, iterations);
    double more = msPerPass(withBlocks(oneBlock, blocks), storage, kernels, iterations);
    return (more - one) / (blocks - 1);
  }

  private static T5Config withBlocks(T5Config c, int blocks) {
    return new T5Config(
        c.dModel(),
        c.dKv(),
        c.numHeads(),
        c.dFf(),
        blocks,
        c.vocabSize(),
        c.relativeAttentionNumBuckets(),
        c.relativeAttentionMaxDistance(),
        c.layerNormEpsilon(),
        c.feedForwardProj(),
        c.denseActFn(),
        c.gatedAct());
  }

  private static double msPerPass(
      T5Config config, T5WeightStorage storage, Kernels kernels, int iterations) {
    try (RandomWeights source = new RandomWeights(T5Encoder.weightSpec(config), "random T5");
        T5Encoder encoder =
            T5Encoder.fromSource(config, source, Device.cpu(), DataType.FLOAT32, kernels, storage);
        NDManager m = NDManager.newBaseManager(Device.cpu())) {
      long[] ids = new long[LENGTH];
      long[] mask = new long[LENGTH];
      for (int i = 0; i < LENGTH; i++) {
        ids[i] = (i * 37L) % config.vocabSize();
        mask[i] = i < 100 ? 1 : 0;
      }
      NDArray idArray = m.create(ids, new Shape(1, LENGTH));
      NDArray maskArray = m.create(mask, new Shape(1, LENGTH));
      for (int i = 0; i < 3; i++) {
        encoder.encode(idArray, maskArray).close();
      }
      long[] samples = new long[iterations];
      for (int i = 0; i < iterations; i++) {
        long start = now();
        encoder.encode(idArray, maskArray).close();
        samples[i] = now() - start;
      }
      Arrays.sort(samples);
      return samples[iterations / 2] / 1e6;
    }
  }

  private static long now() {
    return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }
}
