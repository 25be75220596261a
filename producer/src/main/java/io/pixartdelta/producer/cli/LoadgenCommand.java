package io.pixartdelta.producer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.producer.RenderClientBuilder;
import io.pixartdelta.producer.load.LoadGenerator;
import io.pixartdelta.producer.load.LoadReport;
import io.pixartdelta.producer.load.LoadShape;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.RenderJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loadgen}: submits jobs drawn from a weighted mix at a fixed rate (or with a bounded number
 * in flight) for a duration, follows their status and reports throughput, end-to-end latency
 * percentiles and failures by code. The engine is {@link LoadGenerator}.
 */
@Command(
    name = "loadgen",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Submit jobs at a target rate (or N in flight) for a duration and report throughput,"
          + " latency and failures.",
      "Latency is end to end: from submission to the terminal status event, of succeeded jobs."
    })
final class LoadgenCommand implements Callable<Integer> {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  LoadPace pace;

  @Option(
      names = "--duration",
      required = true,
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long to submit (e.g. 60s, 10m).")
  Duration duration;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      description = "Stop submitting after N jobs (default: rate x duration, or no limit).")
  Long jobs;

  @Option(
      names = "--mix",
      paramLabel = "FILE",
      description =
          "Weighted job templates (JSON array or JSONL); default: 256x256/2 steps (3), 512x512/4"
              + " steps (1), 512x256/4 steps (1).")
  Path mix;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "5m",
      description = "Per-job time to a terminal status (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--random-seed",
      paramLabel = "N",
      description = "Seed of the template choice, for a reproducible sequence.")
  Long randomSeed;

  @Option(
      names = "--job-id-prefix",
      paramLabel = "PREFIX",
      description = "Job ids are PREFIX-1, PREFIX-2, ... (default: load-<time>-<random>).")
  String jobIdPrefix;

  @Option(
      names = "--control-bucket",
      paramLabel = "BUCKET",
      description = "Bucket for templates' controlFile uploads (default: --bucket).")
  String controlBucket;

  @Option(names = "--json", description = "Print the final report as one JSON object.")
  boolean json;

  @Mixin JobFlags flags;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Instant now = Instant.now();
    LoadMix loadMix;
    LoadShape shape;
    try {
      shape = shape();
      loadMix = mix == null ? LoadMix.defaults() : LoadMix.read(mix);
      validate(loadMix, now);
    } catch (IllegalArgumentException | IOException e) {
      err.println("invalid input: " + ExitCodes.describe(e));
      return ExitCodes.INVALID_INPUT;
    }
    boolean needsS3 = loadMix.templates().stream().anyMatch(t -> t.controlFile() != null);
    RenderClientBuilder builder =
        RenderClient.builder(connection.bootstrap)
            .jobsTopic(connection.jobsTopic)
            .statusTopic(connection.statusTopic)
            .clientId("pixart-loadgen")
            .connectTimeout(connection.connectTimeout)
            .statusLookBack(Duration.ZERO)
            .defaultTimeout(timeout);
    if (needsS3) {
      builder.s3(connection.s3(controlBucket != null ? controlBucket : flags.bucket, null));
    }
    try (RenderClient client = builder.build()) {
      client.ready().join();
      Map<LoadMix.Template, ControlSpec> controls = new HashMap<>();
      for (LoadMix.Template t : loadMix.templates()) {
        if (t.controlFile() != null) {
          controls.put(
              t, client.uploadControlImage(t.controlFile(), t.controlType(), t.controlScale()));
        }
      }
      return run(client, loadMix, controls, shape, out, err);
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private LoadShape shape() {
    if (jobs != null && jobs < 1) {
      throw new IllegalArgumentException("--jobs must be positive, got " + jobs);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive, got " + duration);
    }
    if (pace.inFlight() != null) {
      if (pace.inFlight() < 1) {
        throw new IllegalArgumentException("--in-flight must be positive, got " + pace.inFlight());
      }
      return LoadShape.inFlight(pace.inFlight(), duration, jobs == null ? 0 : jobs);
    }
    double rate = pace.rate();
    if (!(rate > 0) || rate > LoadShape.MAX_RATE) {
      throw new IllegalArgumentException("--rate must be in (0, 10000], got " + rate);
    }
    long total = (long) Math.floor(rate * duration.toNanos() / 1e9);
    if (total < 1) {
      throw new IllegalArgumentException("--rate x --duration submits no job");
    }
    // Exactly rate x duration jobs, paced; the count (not the clock) ends the run.
    return LoadShape.fixedRate(rate, null, jobs == null ? total : Math.min(jobs, total));
  }

  private void validate(LoadMix loadMix, Instant now) {
    ObjectNode defaults = flags.defaults(now);
    for (LoadMix.Template t : loadMix.templates()) {
      try {
        JobTemplate.build(withPrompt(t.job(), 0), defaults, "validate-1", now);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "mix: template '" + t.name() + "': " + e.getMessage(), e);
      }
      if (t.controlFile() != null) {
        if (!Files.isReadable(t.controlFile())) {
          throw new IllegalArgumentException(
              "mix: template '" + t.name() + "': cannot read controlFile " + t.controlFile());
        }
        if (controlBucket == null && flags.bucket == null) {
          throw new IllegalArgumentException(
              "mix: template '"
                  + t.name()
                  + "' has a controlFile: give --control-bucket or --bucket");
        }
      }
    }
  }

  private int run(
      RenderClient client,
      LoadMix loadMix,
      Map<LoadMix.Template, ControlSpec> controls,
      LoadShape shape,
      PrintWriter out,
      PrintWriter err) {
    Random random = randomSeed == null ? new Random() : new Random(randomSeed);
    String prefix = jobIdPrefix != null ? jobIdPrefix : JobIds.newPrefix("load", Instant.now());
    LoadGenerator.JobSource source =
        i -> {
          LoadMix.Template template = loadMix.pick(random);
          Instant now = Instant.now();
          RenderJob job =
              JobTemplate.build(
                  withPrompt(template.job(), i), flags.defaults(now), prefix + "-" + (i + 1), now);
          ControlSpec control = controls.get(template);
          return control != null && job.control() == null ? job.withControl(control) : job;
        };
    long startNanos = System.nanoTime();
    LoadGenerator generator =
        new LoadGenerator(
            client,
            shape,
            source,
            PROGRESS_EVERY,
            soFar -> {
              if (!json) {
                progress(err, (System.nanoTime() - startNanos) / 1_000_000_000L, soFar);
              }
            });
    LoadReport report;
    try {
      report = generator.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("interrupted");
      return ExitCodes.INFRASTRUCTURE;
    }
    report(out, shape, report);
    return exitCode(report);
  }

  /** 4 if any infrastructure error or lost job, else 3 if any timeout, else 1 if any failure. */
  static int exitCode(LoadReport report) {
    if (report.errors() > 0 || report.lost() > 0) {
      return ExitCodes.INFRASTRUCTURE;
    }
    if (report.timedOut() > 0) {
      return ExitCodes.TIMED_OUT;
    }
    if (report.failed() + report.expired() > 0) {
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }

  private static ObjectNode withPrompt(ObjectNode job, long sequence) {
    if (job.has("prompt")) {
      return job;
    }
    return job.deepCopy().put("prompt", LoadMix.prompt(sequence));
  }

  /** One line per tick, stamped with the time since the start (not since the last event). */
  private static void progress(PrintWriter err, long seconds, LoadReport soFar) {
    err.printf(
        Locale.ROOT,
        "t=%ds submitted=%d finished=%d succeeded=%d failed=%d timed-out=%d%n",
        seconds,
        soFar.submitted(),
        soFar.finished(),
        soFar.succeeded(),
        soFar.failed() + soFar.expired(),
        soFar.timedOut());
    err.flush();
  }

  private void report(PrintWriter out, LoadShape shape, LoadReport r) {
    long count = r.succeeded();
    if (json) {
      ObjectNode node =
          JsonReporter.line("loadgen", null)
              .put("jobs", r.submitted())
              .put("targetRate", shape.ratePerSecond())
              .put("maxInFlight", shape.maxInFlight())
              .put("achievedRate", r.submitRate())
              .put("throughputJobsPerSecond", r.throughput())
              .put(
                  "throughputWindow",
                  r.throughputWindow().name().toLowerCase(Locale.ROOT).replace('_', '-'))
              .put("throughputWindowSeconds", r.windowSeconds())
              .put("throughputImagesPerSecond", r.imagesPerSecond())
              .put("succeeded", r.succeeded())
              .put("failed", r.failed())
              .put("expired", r.expired())
              .put("timedOut", r.timedOut())
              .put("errors", r.errors())
              .put("lost", r.lost())
              .put("latencyP50Ms", r.latencyP50Ms())
              .put("latencyP90Ms", r.latencyP90Ms())
              .put("latencyP99Ms", r.latencyP99Ms())
              .put("latencyMaxMs", r.latencyMaxMs())
              .put("exitCode", exitCode(r));
      ObjectNode byCode = node.putObject("failuresByCode");
      new TreeMap<>(r.failuresByCode()).forEach(byCode::put);
      out.println(node);
    } else {
      out.printf(
          Locale.ROOT,
          "jobs: %d submitted (%s), achieved %.2f/s%n",
          r.submitted(),
          shape.describe(),
          r.submitRate());
      out.printf(
          Locale.ROOT,
          "throughput: %.3f jobs/s over %s (%.1f s); %.3f images/s over the whole run (%.1f s)%n",
          r.throughput(),
          r.throughputWindow().description(),
          r.windowSeconds(),
          r.imagesPerSecond(),
          r.elapsedSeconds());
      out.printf(
          Locale.ROOT,
          "latency (submit to SUCCEEDED, ms): p50 %d, p90 %d, p99 %d, max %d (n=%d)%n",
          r.latencyP50Ms(),
          r.latencyP90Ms(),
          r.latencyP99Ms(),
          r.latencyMaxMs(),
          count);
      out.printf(
          Locale.ROOT,
          "outcomes: %d succeeded, %d failed, %d expired, %d timed out, %d errors, %d lost%n",
          r.succeeded(),
          r.failed(),
          r.expired(),
          r.timedOut(),
          r.errors(),
          r.lost());
      Map<String, Long> byCode = new TreeMap<>(r.failuresByCode());
      out.println("failures by code: " + (byCode.isEmpty() ? "none" : byCode));
    }
    out.flush();
  }
}
