package io.pixartdelta.worker.app;

import io.pixartdelta.producer.Durations;
import io.pixartdelta.producer.cli.LogVerbosity;
import io.pixartdelta.worker.embedded.EmbeddedKafka;
import io.pixartdelta.worker.embedded.EmbeddedS3;
import io.pixartdelta.worker.embedded.EmbeddedServiceException;
import io.pixartdelta.worker.metrics.PrometheusMetrics;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.render.RendererFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The worker's command line.
 *
 * <p>Exit codes: 0 the worker stopped on its own without error, 1 the worker failed while running,
 * 2 invalid options or usage, 3 the renderer (model) could not be loaded or the embedded services
 * could not start. Stopped by SIGTERM, the JVM exits with 143 (128 + 15) once the drain is over.
 */
@Command(
    name = "pixart-worker",
    mixinStandardHelpOptions = true,
    version = "pixart-worker 0.1.0",
    description = "Kafka batch render worker for PixArt-δ.",
    subcommands = {
      WorkerMain.Run.class,
      io.pixartdelta.pixart.cli.RenderCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class WorkerMain {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

  /** glibc settings that keep libtorch's large CPU tensors out of per-allocation mmaps. */
  static final String CPU_ALLOCATOR_ENV =
      "MALLOC_MMAP_THRESHOLD_=2000000000 MALLOC_TRIM_THRESHOLD_=4000000000"
          + " MALLOC_TOP_PAD_=1000000000";

  /** Exit code: the worker failed while running. */
  public static final int EXIT_FAILED = 1;

  /** Exit code: invalid options or usage. */
  public static final int EXIT_USAGE = 2;

  /** Exit code: the model or the embedded services could not start. */
  public static final int EXIT_STARTUP = 3;

  private WorkerMain() {}

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Log details: DJL, Kafka, S3 and the embedded services at INFO, ours at DEBUG.")
  void verbose(boolean on) {
    if (on) {
      LogVerbosity.verbose();
    }
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The picocli command tree (also used by tests). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new WorkerMain());
    cli.setExitCodeExceptionMapper(WorkerMain::exitCodeOf);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          err.println("error: " + e.getMessage());
          err.flush();
          return exitCodeOf(e);
        });
    return cli;
  }

  private static int exitCodeOf(Throwable e) {
    if (e instanceof OptionsException || e instanceof CommandLine.ParameterException) {
      return EXIT_USAGE;
    }
    return e instanceof EmbeddedServiceException ? EXIT_STARTUP : EXIT_FAILED;
  }

  /** {@code run}: starts the worker (optionally with embedded Kafka and S3) until SIGTERM. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Consume render jobs, render them, upload the images to S3 and publish status events.",
        "Options come from --config, PIXART_* environment variables and these flags (highest"
            + " precedence); see worker/README.md for every key."
      })
  static final class Run implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with options.")
    Path config;

    @Option(
        names = "--embedded",
        description =
            "Start an in-process Kafka broker and S3 server (data under --data-dir) and use them.")
    boolean embedded;

    @Option(
        names = "--health-port",
        paramLabel = "PORT",
        defaultValue = "${env:PIXART_HEALTH_PORT:-0}",
        description =
            "Serve GET /live and /ready (probes) and /metrics (Prometheus) on this port (0: off).")
    int healthPort;

    @Option(
        names = "--demo",
        paramLabel = "N",
        description =
            "With --embedded: submit N sample jobs once the worker runs and print their status"
                + " events.")
    int demo;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description = "Embedded mode data folder (default ./data).")
    Path dataDir;

    @Option(names = "--model", paramLabel = "DIR", description = "Model folder (diffusers layout).")
    Path model;

    @Option(names = "--renderer", paramLabel = "NAME", description = "Renderer implementation.")
    String renderer;

    @Option(names = "--device", paramLabel = "DEVICE", description = "cpu, gpu or gpu:N.")
    String device;

    @Option(names = "--dtype", paramLabel = "TYPE", description = "fp32 or fp16.")
    String dtype;

    @Option(
        names = "--bootstrap-servers",
        paramLabel = "HOSTS",
        description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3 endpoint override.")
    String s3Endpoint;

    @Option(names = "--worker-id", paramLabel = "ID", description = "Worker id.")
    String workerId;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Any option by key, e.g. --set worker.max-batch-size=8 (repeatable).")
    Map<String, String> set = new LinkedHashMap<>();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      WorkerOptions options = WorkerOptions.load(config, System.getenv(), overrides());
      PrintWriter out = spec.commandLine().getOut();
      RendererFactory factory = findFactory(options.model().renderer());
      List<AutoCloseable> embeddedServices = new ArrayList<>();
      // Counted down once everything is closed, so the shutdown hook keeps the JVM alive until
      // then.
      CountDownLatch stopped = new CountDownLatch(1);
      try {
        if (options.embedded().enabled()) {
          options = startEmbedded(options, embeddedServices, out);
        }
        hintCpuAllocator(options.model().rendererSettings().device(), System.getenv());
        Renderer renderer;
        try {
          renderer = factory.create(options.model().rendererSettings());
        } catch (RuntimeException e) {
          LOG.error("cannot load renderer '{}'", factory.name(), e);
          spec.commandLine().getErr().println("error: cannot load the renderer: " + e.getMessage());
          return EXIT_STARTUP;
        }
        try (renderer;
            PrometheusMetrics metrics = PrometheusMetrics.create()) {
          Worker worker = Worker.start(options, renderer, Clock.systemUTC(), metrics.registry());
          if (healthPort > 0) {
            embeddedServices.add(
                0, HealthServer.start(healthPort, worker::state, worker::failure, metrics));
          }
          if (demo > 0 && options.embedded().enabled()) {
            boolean tiny = options.model().modelDir() == null;
            DemoJobs show = DemoJobs.start(options, demo, tiny, out);
            try {
              return runUntilStopped(worker, options, stopped);
            } finally {
              show.close();
            }
          }
          return runUntilStopped(worker, options, stopped);
        }
      } finally {
        closeAll(embeddedServices);
        stopped.countDown();
      }
    }

    private Map<String, String> overrides() {
      Map<String, String> values = new LinkedHashMap<>(set);
      putIf(values, OptionKey.EMBEDDED, embedded ? "true" : null);
      putIf(values, OptionKey.EMBEDDED_DATA_DIR, dataDir == null ? null : dataDir.toString());
      putIf(values, OptionKey.MODEL_DIR, model == null ? null : model.toString());
      putIf(values, OptionKey.RENDERER, renderer);
      putIf(values, OptionKey.MODEL_DEVICE, device);
      putIf(values, OptionKey.MODEL_DTYPE, dtype);
      putIf(values, OptionKey.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
      putIf(values, OptionKey.S3_ENDPOINT, s3Endpoint);
      putIf(values, OptionKey.WORKER_ID, workerId);
      return values;
    }

    private static void putIf(Map<String, String> values, OptionKey key, String value) {
      if (value != null) {
        values.put(key.key(), value);
      }
    }

    private int runUntilStopped(Worker worker, WorkerOptions options, CountDownLatch stopped)
        throws InterruptedException {
      Duration hookWait = options.service().drainTimeout().plusSeconds(30);
      Thread hook =
          new Thread(
              () -> {
                LOG.info(
                    "shutdown signal: draining (up to {})",
                    Durations.format(options.service().drainTimeout()));
                worker.shutdown();
                try {
                  stopped.await(hookWait.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "shutdown-hook");
      Runtime.getRuntime().addShutdownHook(hook);
      worker.awaitTermination(Duration.ofDays(365_000));
      worker.close();
      Throwable failure = worker.failure();
      if (failure != null) {
        spec.commandLine().getErr().println("error: worker failed: " + failure);
        return EXIT_FAILED;
      }
      return 0;
    }

    private WorkerOptions startEmbedded(
        WorkerOptions options, List<AutoCloseable> services, PrintWriter out) {
      WorkerOptions.EmbeddedOptions e = options.embedded();
      WorkerOptions.KafkaOptions k = options.kafka();
      requireFreePort(e.kafkaPort(), OptionKey.EMBEDDED_KAFKA_PORT, "Kafka");
      requireFreePort(e.s3Port(), OptionKey.EMBEDDED_S3_PORT, "S3");
      Path dataDir = e.dataDir().toAbsolutePath().normalize();
      EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), e.kafkaPort());
      services.add(0, kafka);
      kafka.createTopics(
          k.topicPartitions(), List.of(k.jobsTopic(), k.statusTopic(), k.deadLetterTopic()));
      EmbeddedS3 s3 = EmbeddedS3.startFilesystem(dataDir.resolve("s3"), e.s3Port());
      services.add(0, s3);
      s3.createBuckets(options.s3().allowList().buckets());
      WorkerOptions embedded =
          options.withEmbeddedServices(
              kafka.bootstrapServers(), s3.endpoint(), s3.accessKey(), s3.secretKey());
      String bucket = options.output().defaultBucket();
      out.printf(
          "%nPixArt-δ worker, embedded mode%n"
              + "  Kafka bootstrap servers: %s%n"
              + "  topics: jobs %s, status %s, dead letters %s%n"
              + "  S3 endpoint: %s (path-style, region %s, access key %s, secret %s)%n"
              + "  images: s3://%s/%s/<jobId>/<n>.png  (files under %s)%n"
              + "Submit a job from another terminal:%n"
              + "  PIXART_S3_ACCESS_KEY=%s PIXART_S3_SECRET_KEY=%s"
              + " java -jar producer/target/pixart-producer.jar submit --bootstrap %s"
              + " --s3-endpoint %s --path-style --wait --download out \"a lighthouse at dawn\"%n"
              + "Stop with Ctrl+C (finishes running jobs first).%n%n",
          kafka.bootstrapServers(),
          k.jobsTopic(),
          k.statusTopic(),
          k.deadLetterTopic(),
          s3.endpoint(),
          options.s3().region(),
          s3.accessKey(),
          s3.secretKey(),
          bucket,
          options.output().defaultPrefix(),
          dataDir.resolve("s3").resolve(bucket),
          s3.accessKey(),
          s3.secretKey(),
          kafka.bootstrapServers(),
          s3.endpoint());
      out.flush();
      return embedded;
    }

    /**
     * Fails with one line naming the fix when a fixed embedded port is taken (typically by another
     * Kafka or a second quick start), before the broker would log its bind failure at length.
     */
    static void requireFreePort(int port, OptionKey option, String service) {
      if (port == 0) {
        return;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress("localhost", port));
      } catch (IOException busy) {
        throw new EmbeddedServiceException(
            "port "
                + port
                + " for the embedded "
                + service
                + " is in use; stop what listens there or run with --set "
                + option.key()
                + "=0 (any free port)");
      }
    }

    /**
     * On the CPU, glibc serves libtorch's large tensors from fresh mmaps and page-faults every
     * allocation; the environment of {@link #CPU_ALLOCATOR_ENV} keeps them in the heap (3× faster
     * tiny-model VAE decode, see BENCHMARKS.md). Only the environment at process start counts, so
     * this can only say so.
     */
    static void hintCpuAllocator(String device, Map<String, String> env) {
      if ("cpu".equals(device) && !env.containsKey("MALLOC_MMAP_THRESHOLD_")) {
        LOG.info(
            "rendering on the CPU: start the JVM with {} for faster large-tensor allocation"
                + " (README, 'Running on the CPU')",
            CPU_ALLOCATOR_ENV);
      }
    }

    static RendererFactory findFactory(String name) {
      List<String> available = new ArrayList<>();
      for (RendererFactory factory : ServiceLoader.load(RendererFactory.class)) {
        if (factory.name().equals(name)) {
          return factory;
        }
        available.add(factory.name());
      }
      throw new OptionsException(
          "renderer '"
              + name
              + "' is not available"
              + (available.isEmpty()
                  ? " (no renderer is installed)"
                  : "; available: " + available));
    }

    private static void closeAll(List<AutoCloseable> services) {
      for (AutoCloseable service : services) {
        try {
          service.close();
        } catch (Exception e) {
          LOG.warn("closing {} failed: {}", service.getClass().getSimpleName(), e.toString());
        }
      }
    }
  }
}
