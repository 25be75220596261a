package io.pixartdelta.worker.dev;

import io.pixartdelta.producer.cli.DurationConverter;
import io.pixartdelta.producer.cli.LoadPace;
import io.pixartdelta.producer.load.LoadReport;
import io.pixartdelta.producer.load.LoadShape;
import io.pixartdelta.worker.app.OptionsException;
import io.pixartdelta.worker.app.WorkerMain;
import io.pixartdelta.worker.app.WorkerOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench --mode e2e}: runs {@link E2eBench} and prints a table of throughput, latency,
 * failures and the worker's mean stage timings. Exit code 0 when every job succeeded, 1 when any
 * failed or was lost, 2 for invalid options.
 */
@Command(
    name = "bench",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "End-to-end benchmark: embedded Kafka + S3Proxy + this worker (tiny model by default),"
          + " driven by the load generator; prints jobs/s, latency percentiles and failures.",
      "Latency is from submission to the SUCCEEDED status event (render, encode, upload and"
          + " status included). Without --rate or --in-flight: --in-flight 64."
    })
final class E2eBenchCommand implements Callable<Integer> {
  /** Closed-loop concurrency without --rate or --in-flight: twice the default backlog bound. */
  static final int DEFAULT_IN_FLIGHT = 64;

  @Spec CommandSpec spec;

  @Option(names = "--mode", hidden = true, description = "Always e2e here.")
  String mode;

  /** Without --rate or --in-flight: a closed loop of {@link #DEFAULT_IN_FLIGHT}. */
  @ArgGroup(exclusive = true, multiplicity = "0..1")
  LoadPace pace;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long to submit, e.g. 30s, 2m (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop submitting after N jobs (0: only --duration bounds the run).")
  long jobs;

  @Option(
      names = "--size",
      paramLabel = "WxH",
      defaultValue = "256x256",
      description =
          "Image size, rendered exactly (no binning); 256x256 is the smallest the job schema"
              + " allows (default ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "1",
      description = "LCM steps 1..8 (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--format",
      paramLabel = "FMT",
      defaultValue = "png",
      description = "png or jpeg (default ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "32",
      description = "Warm-up jobs before measuring (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "2m",
      converter = DurationConverter.class,
      description = "Per-job time to a terminal status (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Model folder (diffusers layout); default: the bundled tiny model.")
  Path model;

  @Option(
      names = "--renderer",
      paramLabel = "NAME",
      defaultValue = "pixart",
      description = "Renderer implementation (default ${DEFAULT-VALUE}).")
  String renderer;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Worker option by key, e.g. --set worker.max-batch-size=16 (repeatable).")
  Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() throws InterruptedException {
    E2eBench.Settings settings = settings();
    PrintWriter out = spec.commandLine().getOut();
    E2eBench.Result result = E2eBench.run(settings, renderer, model, out);
    print(out, settings, result);
    return result.clean() ? 0 : WorkerMain.EXIT_FAILED;
  }

  E2eBench.Settings settings() {
    LoadShape shape;
    try {
      if (pace != null && pace.rate() != null) {
        shape = LoadShape.fixedRate(pace.rate(), duration, jobs);
      } else {
        shape =
            LoadShape.inFlight(pace == null ? DEFAULT_IN_FLIGHT : pace.inFlight(), duration, jobs);
      }
    } catch (IllegalArgumentException e) {
      throw new OptionsException("invalid load: " + e.getMessage(), e);
    }
    String[] wh = size.toLowerCase(Locale.ROOT).split("x", -1);
    int width;
    int height;
    try {
      width = Integer.parseInt(wh[0]);
      height = Integer.parseInt(wh.length == 2 ? wh[1] : wh[0]);
    } catch (NumberFormatException e) {
      throw new OptionsException("--size must be WxH or N, got " + size, e);
    }
    return new E2eBench.Settings(
        shape, warmup, width, height, steps, format.toLowerCase(Locale.ROOT), timeout, set);
  }

  private static void print(PrintWriter out, E2eBench.Settings s, E2eBench.Result r) {
    WorkerOptions.ServiceOptions service = r.workerOptions().service();
    LoadReport l = r.load();
    out.printf(
        Locale.ROOT,
        "# e2e: model %s, %dx%d px, %d step(s), %s, %s; max batch %d, max wait %s,"
            + " upload threads %d, %d partitions, %d cores%n",
        r.modelId(),
        s.width(),
        s.height(),
        s.steps(),
        s.format(),
        s.shape().describe(),
        service.batch().maxBatchSize(),
        service.batch().maxWait(),
        service.uploadThreads(),
        r.workerOptions().kafka().topicPartitions(),
        Runtime.getRuntime().availableProcessors());
    out.println(
        "| jobs | succeeded | failed | lost | jobs/s (over) | submit/s | p50 ms | p90 ms |"
            + " p99 ms | max ms |");
    out.println("|---|---|---|---|---|---|---|---|---|---|");
    out.printf(
        Locale.ROOT,
        "| %d | %d | %d | %d | %.1f (%s) | %.1f | %d | %d | %d | %d |%n",
        l.submitted(),
        l.succeeded(),
        l.failed() + l.expired() + l.timedOut() + l.errors(),
        l.lost(),
        l.throughput(),
        l.throughputWindow() == LoadReport.ThroughputWindow.STEADY ? "steady" : "whole run",
        l.submitRate(),
        l.latencyP50Ms(),
        l.latencyP90Ms(),
        l.latencyP99Ms(),
        l.latencyMaxMs());
    if (!l.failuresByCode().isEmpty() || l.timedOut() + l.errors() > 0) {
      out.printf(
          Locale.ROOT,
          "failures by code: %s; timed out %d; client errors %d%n",
          new TreeMap<>(l.failuresByCode()),
          l.timedOut(),
          l.errors());
    }
    E2eBench.StageSummary st = r.stages();
    out.println();
    out.println(
        "worker stages, mean per succeeded job (ms; T5, denoise and VAE are the whole batch's):");
    out.println("| queue wait | T5 | denoise | VAE decode | encode | upload |");
    out.println("|---|---|---|---|---|---|");
    out.printf(
        Locale.ROOT,
        "| %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
        st.queueWaitMs(),
        st.textEncodeMs(),
        st.denoiseMs(),
        st.decodeMs(),
        st.encodeMs(),
        st.uploadMs());
    Map<String, Double> cpu = r.cpuMs();
    double total = cpu.getOrDefault("total", 0.0);
    long jobs = Math.max(1, l.finished());
    if (total > 0) {
      int cores = Runtime.getRuntime().availableProcessors();
      double perJob = total / jobs;
      out.println();
      out.printf(
          Locale.ROOT,
          "CPU of this process while measuring: %.0f ms = %.2f ms per job; at that cost %d idle"
              + " cores would sustain %.0f jobs/s%n",
          total,
          perJob,
          cores,
          cores * 1000.0 / perJob);
      out.println("| thread group | CPU ms per job | share |");
      out.println("|---|---|---|");
      cpu.forEach(
          (group, ms) -> {
            if (!"total".equals(group) && ms > 0) {
              out.printf(
                  Locale.ROOT, "| %s | %.2f | %.0f%% |%n", group, ms / jobs, 100 * ms / total);
            }
          });
    }
    out.flush();
  }
}
