package io.pixartdelta.worker.app;

import io.pixartdelta.common.Durations;
import io.pixartdelta.common.VerboseOption;
import io.pixartdelta.pixart.cli.RenderCommand;
import io.pixartdelta.worker.metrics.PrometheusMetrics;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.render.RendererFactory;
import java.io.PrintWriter;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The worker's command line.
 *
 * <p>Exit codes: 0 the worker stopped on its own without error, 1 the worker failed while running,
 * 2 invalid options or usage, 3 the renderer (model) or a service the worker needs could not start.
 * Stopped by SIGTERM, the JVM exits with 143 (128 + 15) once the drain is over.
 *
 * <p>This is the GPU jar's command line. The quick-start jar (worker/dev) builds the same tree with
 * a {@link RunExtension} for {@code run --embedded --demo N} and the {@code bench --mode e2e}
 * command.
 */
@Command(
    name = "pixart-worker",
    mixinStandardHelpOptions = true,
    version = "pixart-worker 0.1.0",
    description = "Kafka batch render worker for PixArt-δ.")
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

  /** Exit code: the model or a service the worker needs could not start. */
  public static final int EXIT_STARTUP = 3;

  private WorkerMain() {}

  @Mixin VerboseOption verbose;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The picocli command tree of the GPU jar (also used by tests). */
  public static CommandLine commandLine() {
    return commandLine(RunExtension.NONE, null);
  }

  /**
   * The command tree with {@code run} extended by {@code runExtension} (its picocli options join
   * {@code run}'s) and {@code bench --mode e2e} served by {@code e2eBench} (null: not in this jar).
   */
  public static CommandLine commandLine(
      RunExtension runExtension, Supplier<Callable<Integer>> e2eBench) {
    CommandLine run = new CommandLine(new Run(runExtension));
    if (runExtension != RunExtension.NONE) {
      run.addMixin("extension", runExtension);
    }
    CommandLine cli =
        new CommandLine(new WorkerMain())
            .addSubcommand("run", run)
            .addSubcommand("render", new RenderCommand())
            .addSubcommand("bench", new BenchCommand(e2eBench))
            .addSubcommand("help", new CommandLine.HelpCommand());
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
    return e instanceof StartupException ? EXIT_STARTUP : EXIT_FAILED;
  }

  /** The renderer named {@code name} among those installed (ServiceLoader). */
  public static RendererFactory findFactory(String name) {
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
            + (available.isEmpty() ? " (no renderer is installed)" : "; available: " + available));
  }

  /** {@code run}: starts the worker until SIGTERM. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Consume render jobs, render them, upload the images to S3 and publish status events.",
        "Options come from --config, PIXART_* environment variables and these flags (highest"
            + " precedence); see worker/README.md for every key."
      })
  static final class Run implements Callable<Integer> {
    private final RunExtension extension;

    Run(RunExtension extension) {
      this.extension = extension;
    }

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with options.")
    Path config;

    @Option(
        names = "--health-port",
        paramLabel = "PORT",
        defaultValue = "${env:PIXART_HEALTH_PORT:-0}",
        description =
            "Serve GET /live and /ready (probes) and /metrics (Prometheus) on this port (0: off).")
    int healthPort;

    @Option(names = "--model", paramLabel = "DIR", description = "Model folder (diffusers layout).")
    Path model;

    @Option(names = "--renderer", paramLabel = "NAME", description = "Renderer implementation.")
    String renderer;

    @Option(names = "--device", paramLabel = "DEVICE", description = "cpu, gpu or gpu:N.")
    String device;

    @Option(
        names = "--dtype",
        paramLabel = "TYPE",
        description = "fp32, fp16 or auto (default: fp16 on a GPU, fp32 on the CPU).")
    String dtype;

    @Option(
        names = "--random-weights",
        paramLabel = "real|tiny",
        description =
            "Capacity tests without a checkpoint: random weights at the real PixArt-LCM-XL sizes"
                + " (real) or the tiny test model's (tiny), made on the device.")
    String randomWeights;

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
      WorkerOptions options = WorkerOptionsLoader.load(config, System.getenv(), overrides());
      PrintWriter out = spec.commandLine().getOut();
      RendererFactory factory = findFactory(options.model().renderer());
      List<AutoCloseable> services = new ArrayList<>();
      // Counted down once everything is closed, so the shutdown hook keeps the JVM alive until
      // then.
      CountDownLatch stopped = new CountDownLatch(1);
      try {
        options = extension.startServices(options, services, out);
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
            services.add(
                0, HealthServer.start(healthPort, worker::state, worker::failure, metrics));
          }
          AutoCloseable clients = extension.startClients(options, out);
          try {
            return runUntilStopped(worker, options, stopped);
          } finally {
            clients.close();
          }
        }
      } finally {
        closeAll(services);
        stopped.countDown();
      }
    }

    private Map<String, String> overrides() {
      Map<String, String> values = new LinkedHashMap<>(set);
      extension.putOverrides(values);
      putIf(values, OptionKey.MODEL_DIR, model == null ? null : model.toString());
      putIf(values, OptionKey.RENDERER, renderer);
      putIf(values, OptionKey.MODEL_DEVICE, device);
      putIf(values, OptionKey.MODEL_DTYPE, dtype);
      putIf(values, OptionKey.MODEL_RANDOM_WEIGHTS, randomWeights);
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
