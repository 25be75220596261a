package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.image.ImageEncoder;
import io.pixartdelta.pixart.image.ImagePostprocess;
import io.pixartdelta.pixart.pipeline.BatchResult;
import io.pixartdelta.pixart.pipeline.GenerationRequest;
import io.pixartdelta.pixart.pipeline.GenerationResult;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.pixart.text.T5WeightStorage;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Throughput and latency of the pipeline per batch size: per-stage timings (T5, each denoising
 * step, VAE decode, image encode), images/s and peak memory, printed as a table. Medians over the
 * measured iterations after warm-up. Needs no Kafka, S3 or checkpoint ({@code --random-weights}).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark the pipeline (no Kafka/S3); prints a table of per-stage timings.")
public final class PipelineBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RuntimeOptions runtime;

  static final class Weights {
    @Option(
        names = "--model",
        paramLabel = "DIR",
        description = "Checkpoint folder (diffusers layout).")
    Path model;

    @Option(
        names = "--random-weights",
        paramLabel = "real|tiny",
        description = "Random weights built on the device: the real PixArt-LCM-XL sizes, or tiny.")
    String random;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Weights weights = new Weights();

  @Option(
      names = "--batch",
      split = ",",
      defaultValue = "1",
      description = "Batch sizes, e.g. 1,4,8.")
  int[] batches;

  @Option(
      names = "--size",
      defaultValue = "1024",
      description = "Square image size in px (default ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--steps",
      defaultValue = "4",
      description = "LCM steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--warmup",
      defaultValue = "2",
      description =
          "Warm-up iterations per batch size (default ${DEFAULT-VALUE}: TorchScript's profiling"
              + " executor specialises a script on its second call).")
  int warmup;

  @Option(
      names = "--iterations",
      defaultValue = "3",
      description = "Measured iterations per batch size.")
  int iterations;

  @Option(
      names = "--vae-query-chunk",
      paramLabel = "N",
      description =
          "VAE mid-block attention query rows per SDPA call (default: all on a GPU, "
              + AutoencoderKl.DEFAULT_QUERY_CHUNK
              + " on the CPU).")
  Integer vaeQueryChunk;

  @Option(
      names = "--stage-memory",
      description =
          "After the table, render the first batch size once more stage by stage and print each"
              + " stage's peak memory (T5 + denoising, VAE decode, conversion to 8-bit).")
  boolean stageMemory;

  @Option(
      names = "--soak",
      paramLabel = "N",
      description =
          "Instead of the table: N consecutive batches cycling through sizes (--soak-sizes) and"
              + " batch sizes (--batch), printing memory every 50 batches (leak check).")
  int soak;

  @Option(
      names = "--soak-sizes",
      split = ",",
      defaultValue = "512,768,1024",
      description = "Square sizes the soak cycles through (default ${DEFAULT-VALUE}).")
  int[] soakSizes;

  @Option(
      names = "--png-level",
      defaultValue = "" + ImageEncoder.DEFAULT_PNG_LEVEL,
      description = "PNG deflate level for the encode stage.")
  int pngLevel;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    Device dev = runtime.device();
    // The prompt cache would hide T5 after warm-up: benchmarks encode every prompt.
    PipelineOptions options = runtime.pipelineOptions(dev).withPromptCacheSize(0);
    long loadStart = System.nanoTime();
    try (PixArtPipeline pipeline = open(options);
        PeakMemory memory = new PeakMemory(dev)) {
      w.printf(
          Locale.ROOT,
          "# pipeline %s on %s, %s, kernels %s, %dx%d px, %d steps; load %d ms%n",
          pipeline.modelId(),
          dev,
          options.dtype(),
          runtime.kernels,
          size,
          size,
          steps,
          (System.nanoTime() - loadStart) / 1_000_000);
      w.println(weightLine(pipeline.weightBytes(), options.t5Weights()));
      if (soak > 0) {
        soak(pipeline, memory, w);
        return 0;
      }
      w.println(
          "| batch | first call ms | T5 ms | step ms | denoise ms | VAE decode ms | to 8-bit ms/img"
              + " | render ms/img (min / median) | images/s | PNG encode ms/img | images/s with"
              + " serial PNG | peak memory |");
      w.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
      ImageEncoder encoder = ImageEncoder.png(pngLevel);
      for (int batch : batches) {
        memory.startRow();
        List<long[]> runs = new ArrayList<>();
        long first = -1;
        for (int i = 0; i < warmup + iterations; i++) {
          List<GenerationRequest> requests = new ArrayList<>();
          for (int j = 0; j < batch; j++) {
            requests.add(
                new GenerationRequest(
                    "benchmark prompt " + i + " " + j + ": a lighthouse on a cliff at dusk",
                    i * 1000L + j,
                    size,
                    size,
                    false,
                    steps,
                    1,
                    null));
          }
          long start = System.nanoTime();
          BatchResult r = pipeline.generate(requests);
          long encStart = System.nanoTime();
          for (GenerationResult g : r.results()) {
            for (BufferedImage img : g.images()) {
              encoder.encode(img);
            }
          }
          long end = System.nanoTime();
          if (i == 0) {
            first = (encStart - start) / 1_000_000;
          }
          if (i >= warmup) {
            var t = r.timings();
            runs.add(
                new long[] {
                  t.textEncodeMs(),
                  t.denoiseMs(),
                  t.decodeMs(),
                  t.postprocessMs(),
                  (encStart - start) / 1_000_000,
                  (end - encStart) / 1_000_000,
                  (end - start) / 1_000_000
                });
          }
        }
        long render = median(runs, 4);
        long encode = median(runs, 5);
        w.printf(
            Locale.ROOT,
            "| %d | %d | %d | %.1f | %d | %d | %.1f | %.1f / %.1f | %.2f | %.1f | %.2f | %.2f GiB"
                + " (%s) |%n",
            batch,
            first,
            median(runs, 0),
            (double) median(runs, 1) / steps,
            median(runs, 1),
            median(runs, 2),
            (double) median(runs, 3) / batch,
            (double) min(runs, 4) / batch,
            (double) render / batch,
            batch * 1000.0 / Math.max(1, render),
            (double) encode / batch,
            batch * 1000.0 / Math.max(1, median(runs, 6)),
            memory.peakBytes() / (double) (1L << 30),
            memory.label());
        w.flush();
      }
      if (stageMemory) {
        w.println(stagePeaks(pipeline, memory, batches[0]));
      }
      memory.allocatorSummary().ifPresent(s -> w.println("# CUDA allocator now: " + s));
    }
    return 0;
  }

  /** {@code --soak}: many batches of mixed shapes; memory must stay flat after the first cycle. */
  private void soak(PixArtPipeline pipeline, PeakMemory memory, PrintWriter w) {
    w.println(
        "| batches | last size | last batch | memory now | peak since last line | ms/batch |");
    w.println("|---|---|---|---|---|---|");
    long start = System.nanoTime();
    memory.startRow();
    for (int i = 1; i <= soak; i++) {
      int side = soakSizes[i % soakSizes.length];
      int batch = batches[(i / soakSizes.length) % batches.length];
      List<GenerationRequest> requests = new ArrayList<>();
      for (int j = 0; j < batch; j++) {
        requests.add(
            new GenerationRequest(
                "soak prompt " + (i % 7) + " " + j,
                i * 10L + j,
                side,
                side,
                false,
                steps,
                1,
                null));
      }
      pipeline.generate(requests);
      if (i % 50 == 0 || i == soak) {
        w.printf(
            Locale.ROOT,
            "| %d | %d | %d | %s | %.2f GiB | %.1f |%n",
            i,
            side,
            batch,
            memory.currentSummary(),
            memory.peakBytes() / (double) (1L << 30),
            (System.nanoTime() - start) / 1e6 / i);
        w.flush();
        memory.startRow();
      }
    }
  }

  /** Peak memory of each stage of one batch, each measured from a fresh peak window. */
  private String stagePeaks(PixArtPipeline pipeline, PeakMemory memory, int batch) {
    List<GenerationRequest> requests = new ArrayList<>();
    for (int j = 0; j < batch; j++) {
      requests.add(
          new GenerationRequest("stage memory prompt " + j, j, size, size, false, steps, 1, null));
    }
    double[] peaks = new double[3];
    try (NDManager scope = NDManager.newBaseManager(pipeline.options().device())) {
      memory.startRow();
      NDArray latents = pipeline.generateLatents(requests, scope); // (B, C, H, W)
      latents.toType(DataType.FLOAT32, false).sum().getFloat(); // wait for the device
      peaks[0] = memory.peakBytes() / (double) (1L << 30);
      memory.startRow();
      NDArray decoded = pipeline.decode(latents); // (B, 3, H, W)
      decoded.sum().getFloat();
      peaks[1] = memory.peakBytes() / (double) (1L << 30);
      memory.startRow();
      ImagePostprocess.toRgb8(decoded);
      peaks[2] = memory.peakBytes() / (double) (1L << 30);
    }
    return String.format(
        Locale.ROOT,
        "# peak by stage, batch %d (%s): T5 + denoising %.2f GiB, VAE decode %.2f GiB, to 8-bit"
            + " %.2f GiB",
        batch,
        memory.label(),
        peaks[0],
        peaks[1],
        peaks[2]);
  }

  /** {@code # weights on device: text_encoder 4.44 GiB (INT8), transformer ..., total ...}. */
  static String weightLine(Map<String, Long> bytes, T5WeightStorage t5) {
    StringBuilder line = new StringBuilder("# weights on device:");
    long total = 0;
    for (Map.Entry<String, Long> e : bytes.entrySet()) {
      line.append(String.format(Locale.ROOT, " %s %.3f GiB", e.getKey(), gib(e.getValue())));
      if (e.getKey().equals("text_encoder")) {
        line.append(" (").append(t5).append(')');
      }
      line.append(',');
      total += e.getValue();
    }
    return line.append(String.format(Locale.ROOT, " total %.3f GiB", gib(total))).toString();
  }

  private static double gib(long bytes) {
    return bytes / (double) (1L << 30);
  }

  private PixArtPipeline open(PipelineOptions options) {
    if (weights.random == null) {
      return ModelSource.load(weights.model, options);
    }
    return RandomModel.parse(weights.random)
        .open(
            options,
            vaeQueryChunk != null ? vaeQueryChunk : AutoencoderKl.queryChunkFor(options.device()));
  }

  private static long min(List<long[]> runs, int column) {
    return runs.stream().mapToLong(r -> r[column]).min().orElse(0);
  }

  private static long median(List<long[]> runs, int column) {
    long[] v = runs.stream().mapToLong(r -> r[column]).toArray();
    Arrays.sort(v);
    return v.length == 0 ? 0 : v[v.length / 2];
  }
}
