package io.pixartdelta.worker.dev;

import io.pixartdelta.producer.JobResult;
import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.producer.load.LoadGenerator;
import io.pixartdelta.producer.load.LoadReport;
import io.pixartdelta.producer.load.LoadShape;
import io.pixartdelta.schemas.InvalidMessageException;
import io.pixartdelta.schemas.OutputSpec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.worker.app.OptionKey;
import io.pixartdelta.worker.app.OptionsException;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerMain;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.app.WorkerOptionsLoader;
import io.pixartdelta.worker.embedded.EmbeddedKafka;
import io.pixartdelta.worker.embedded.EmbeddedS3;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.render.RendererFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The engine of {@code bench --mode e2e}: the whole production path on one machine. It starts an
 * embedded KRaft broker and S3Proxy (filesystem store) in a temporary folder, the worker in-process
 * with the chosen renderer (the bundled tiny PixArt model by default), warms up, then drives it
 * with the producer's {@link LoadGenerator} through a real {@link RenderClient}: Kafka →
 * micro-batch → render → encode → S3 → status → offset commit, measured from submission to the
 * SUCCEEDED event.
 */
public final class E2eBench {
  /**
   * What to run.
   *
   * @param shape pacing and bounds of the measured load
   * @param warmupJobs jobs run (closed loop, {@code warmupInFlight} in flight) before measuring
   * @param width image width (256..2048, a multiple of 16: rendered exactly, no binning)
   * @param height image height
   * @param steps LCM steps (1..8)
   * @param format png or jpeg
   * @param jobTimeout per-job time to a terminal status
   * @param workerOverrides worker options by key ({@code --set}), applied over the defaults; the
   *     process environment is ignored so runs are reproducible
   */
  public record Settings(
      LoadShape shape,
      int warmupJobs,
      int width,
      int height,
      int steps,
      String format,
      Duration jobTimeout,
      Map<String, String> workerOverrides) {
    public Settings {
      Objects.requireNonNull(shape, "shape");
      if (warmupJobs < 0) {
        throw new OptionsException("warmupJobs must be >= 0, got " + warmupJobs);
      }
      if (!"png".equals(format) && !"jpeg".equals(format)) {
        throw new OptionsException("format must be png or jpeg, got " + format);
      }
      Objects.requireNonNull(jobTimeout, "jobTimeout");
      workerOverrides = Map.copyOf(workerOverrides);
      // Fails here (a usage error) rather than after the broker has started.
      job("check", 0, width, height, steps, format);
    }

    /** Closed-loop concurrency of the warm-up: enough to fill the largest micro-batches. */
    int warmupInFlight() {
      return Math.max(1, Math.min(warmupJobs, 16));
    }
  }

  /**
   * Outcome of a run.
   *
   * @param workerOptions the options the worker ran with
   * @param modelId the renderer's model id
   * @param warmup the warm-up's report, or null without warm-up
   * @param load the measured run's report
   * @param stages mean stage timings of the measured run's succeeded jobs
   * @param cpuMs CPU milliseconds of this process during the measured run, by thread group, with
   *     the key "total"
   */
  public record Result(
      WorkerOptions workerOptions,
      String modelId,
      LoadReport warmup,
      LoadReport load,
      StageSummary stages,
      Map<String, Double> cpuMs) {
    public Result {
      cpuMs = cpuMs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(cpuMs));
    }

    /** True when every warm-up and measured job succeeded and none was lost. */
    public boolean clean() {
      return (warmup == null || warmup.allSucceeded()) && load.allSucceeded() && load.lost() == 0;
    }
  }

  /**
   * Mean per-job stage timings from the SUCCEEDED events (ms). Text encoding, denoising and VAE
   * decoding are batch stages: each job reports its whole micro-batch's time.
   */
  public record StageSummary(
      long jobs,
      double queueWaitMs,
      double textEncodeMs,
      double denoiseMs,
      double decodeMs,
      double encodeMs,
      double uploadMs) {}

  private E2eBench() {}

  /** Starts everything, runs warm-up and measurement, stops everything. */
  public static Result run(Settings settings, String renderer, Path modelDir, PrintWriter log)
      throws InterruptedException {
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("pixart-e2e-bench");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder", e);
    }
    try {
      return runIn(dataDir, settings, renderer, modelDir, log);
    } finally {
      deleteTree(dataDir);
    }
  }

  private static Result runIn(
      Path dataDir, Settings settings, String rendererName, Path modelDir, PrintWriter log)
      throws InterruptedException {
    Map<String, String> overrides = new LinkedHashMap<>(settings.workerOverrides());
    overrides.put(OptionKey.RENDERER.key(), rendererName);
    if (modelDir != null) {
      overrides.put(OptionKey.MODEL_DIR.key(), modelDir.toString());
    }
    overrides.putIfAbsent(OptionKey.WORKER_ID.key(), "e2e-bench");
    overrides.putIfAbsent(OptionKey.KAFKA_GROUP_ID.key(), "e2e-bench");
    WorkerOptions configured = WorkerOptionsLoader.load(null, Map.of(), overrides);
    RendererFactory factory = WorkerMain.findFactory(rendererName);
    WorkerOptions.KafkaOptions k = configured.kafka();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), 0);
        EmbeddedS3 s3 = EmbeddedS3.startFilesystem(dataDir.resolve("s3"), 0)) {
      kafka.createTopics(
          k.topicPartitions(), List.of(k.jobsTopic(), k.statusTopic(), k.deadLetterTopic()));
      s3.createBuckets(configured.s3().allowList().buckets());
      WorkerOptions options =
          configured.withEmbeddedServices(
              kafka.bootstrapServers(), s3.endpoint(), s3.accessKey(), s3.secretKey());
      log.printf("# embedded Kafka %s, S3 %s%n", kafka.bootstrapServers(), s3.endpoint());
      log.flush();
      try (Renderer renderer = factory.create(options.model().rendererSettings());
          Worker worker = Worker.start(options, renderer);
          RenderClient client =
              RenderClient.builder(kafka.bootstrapServers())
                  .jobsTopic(k.jobsTopic())
                  .statusTopic(k.statusTopic())
                  .clientId("pixart-e2e-bench")
                  .statusLookBack(Duration.ZERO)
                  .defaultTimeout(settings.jobTimeout())
                  .build()) {
        client.ready().join();
        LoadReport warmup = null;
        if (settings.warmupJobs() > 0) {
          log.printf(
              "# warm-up: %d jobs, %d in flight%n",
              settings.warmupJobs(), settings.warmupInFlight());
          log.flush();
          warmup =
              new LoadGenerator(
                      client,
                      LoadShape.inFlight(settings.warmupInFlight(), null, settings.warmupJobs()),
                      source("warmup", settings))
                  .run();
        }
        log.printf("# measuring: %s%n", settings.shape().describe());
        log.flush();
        StageAccumulator stages = new StageAccumulator();
        CpuSplit cpu = CpuSplit.start();
        LoadReport load =
            new LoadGenerator(
                    client,
                    settings.shape(),
                    source("bench", settings),
                    Duration.ofSeconds(5),
                    soFar ->
                        log.printf(
                            "# t=%.0fs submitted=%d succeeded=%d failed=%d%n",
                            soFar.elapsedSeconds(),
                            soFar.submitted(),
                            soFar.succeeded(),
                            soFar.finished() - soFar.succeeded()))
                .withResultListener(stages::add)
                .run();
        Map<String, Double> cpuMs = cpu.stop();
        Throwable failure = worker.failure();
        if (failure != null) {
          throw new IllegalStateException("the worker failed during the benchmark", failure);
        }
        return new Result(options, renderer.modelId(), warmup, load, stages.summary(), cpuMs);
      }
    }
  }

  private static LoadGenerator.JobSource source(String phase, Settings s) {
    String prefix = phase + "-" + Long.toString(System.currentTimeMillis(), 36);
    return i -> job(prefix, i, s.width(), s.height(), s.steps(), s.format());
  }

  private static RenderJob job(
      String prefix, long i, int width, int height, int steps, String format) {
    try {
      return RenderJob.builder(prefix + "-" + i, "benchmark job " + i + ": a lighthouse at dusk")
          .size(width, height)
          .binning(false)
          .steps(steps)
          .seed(i)
          .output(
              "jpeg".equals(format)
                  ? OutputSpec.jpeg(null, null, OutputSpec.DEFAULT_JPEG_QUALITY)
                  : OutputSpec.DEFAULT)
          .build();
    } catch (IllegalArgumentException | InvalidMessageException e) {
      throw new OptionsException("invalid benchmark job: " + e.getMessage(), e);
    }
  }

  /** Sums stage timings of succeeded jobs; called on the client's status thread. */
  private static final class StageAccumulator {
    private final long[] sums = new long[6];
    private long jobs;

    synchronized void add(JobResult result) {
      StageTimings t = result.terminal().timings();
      if (!result.succeeded() || t == null) {
        return;
      }
      jobs++;
      sums[0] += orZero(t.queueWaitMs());
      sums[1] += orZero(t.textEncodeMs());
      sums[2] += orZero(t.denoiseMs());
      sums[3] += orZero(t.decodeMs());
      sums[4] += orZero(t.encodeMs());
      sums[5] += orZero(t.uploadMs());
    }

    synchronized StageSummary summary() {
      double n = Math.max(1, jobs);
      return new StageSummary(
          jobs, sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n, sums[4] / n, sums[5] / n);
    }

    private static long orZero(Long value) {
      return value == null ? 0 : value;
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary folder is harmless.
    }
  }
}
