package io.pixartdelta.producer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pixartdelta.producer.JobResult;
import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.RenderJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loadgen}: submits jobs drawn from a weighted mix at a fixed rate for a duration, follows
 * their status and reports throughput, end-to-end latency percentiles and failures by code.
 */
@Command(
    name = "loadgen",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Submit jobs at a target rate for a duration and report throughput, latency and failures.",
      "Latency is end to end: from submission to the terminal status event, of succeeded jobs."
    })
final class LoadgenCommand implements Callable<Integer> {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Option(
      names = "--rate",
      required = true,
      paramLabel = "JOBS_PER_S",
      description = "Target submission rate in jobs per second (e.g. 2, 0.5).")
  double rate;

  @Option(
      names = "--duration",
      required = true,
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long to submit (e.g. 60s, 10m).")
  Duration duration;

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
    long total;
    try {
      if (!(rate > 0) || rate > 10_000) {
        throw new IllegalArgumentException("--rate must be in (0, 10000], got " + rate);
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("--duration must be positive, got " + duration);
      }
      total = (long) Math.floor(rate * duration.toNanos() / 1e9);
      if (total < 1) {
        throw new IllegalArgumentException("--rate x --duration submits no job");
      }
      loadMix = mix == null ? LoadMix.defaults() : LoadMix.read(mix);
      validate(loadMix, now);
    } catch (IllegalArgumentException | IOException e) {
      err.println("invalid input: " + ExitCodes.describe(e));
      return ExitCodes.INVALID_INPUT;
    }
    boolean needsS3 = loadMix.templates().stream().anyMatch(t -> t.controlFile() != null);
    RenderClient.Builder builder =
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
      return run(client, loadMix, controls, total, out, err);
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
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
      long total,
      PrintWriter out,
      PrintWriter err) {
    Random random = randomSeed == null ? new Random() : new Random(randomSeed);
    String prefix = jobIdPrefix != null ? jobIdPrefix : JobIds.newPrefix("load", Instant.now());
    Histogram latencyMs = new ConcurrentHistogram(3);
    Tally tally = new Tally();
    AtomicLong lastCompletion = new AtomicLong();
    List<CompletableFuture<JobResult>> futures = new ArrayList<>();
    long periodNanos = (long) (1e9 / rate);
    long start = System.nanoTime();
    long nextProgress = start + PROGRESS_EVERY.toNanos();
    long lastSubmit = start;
    for (long i = 0; i < total; i++) {
      long due = start + i * periodNanos;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      LoadMix.Template template = loadMix.pick(random);
      Instant now = Instant.now();
      RenderJob job =
          JobTemplate.build(
              withPrompt(template.job(), i), flags.defaults(now), prefix + "-" + (i + 1), now);
      ControlSpec control = controls.get(template);
      if (control != null && job.control() == null) {
        job = job.withControl(control);
      }
      long submitted = System.nanoTime();
      lastSubmit = submitted;
      futures.add(
          client
              .submit(job)
              .whenComplete(
                  (result, error) -> {
                    long done = System.nanoTime();
                    lastCompletion.accumulateAndGet(done, Math::max);
                    if (result != null) {
                      tally.add(result);
                      if (result.succeeded()) {
                        latencyMs.recordValue(Math.max(0, (done - submitted) / 1_000_000));
                      }
                    } else if (unwrap(error) instanceof JobTimeoutException) {
                      tally.addTimeout();
                    } else {
                      tally.addError();
                    }
                  }));
      if (!json && System.nanoTime() >= nextProgress) {
        nextProgress += PROGRESS_EVERY.toNanos();
        progress(err, start, i + 1, tally);
      }
    }
    CompletableFuture<?>[] all = futures.toArray(new CompletableFuture<?>[0]);
    while (true) {
      try {
        CompletableFuture.allOf(all)
            .get(PROGRESS_EVERY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        break;
      } catch (java.util.concurrent.TimeoutException e) {
        if (!json) {
          progress(err, start, total, tally);
        }
      } catch (java.util.concurrent.ExecutionException e) {
        break; // individual outcomes are in the tally
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    report(out, total, tally, latencyMs, start, lastSubmit, lastCompletion.get());
    return tally.exitCode();
  }

  private static ObjectNode withPrompt(ObjectNode job, long sequence) {
    if (job.has("prompt")) {
      return job;
    }
    return job.deepCopy().put("prompt", LoadMix.prompt(sequence));
  }

  private static void progress(PrintWriter err, long start, long submitted, Tally tally) {
    long elapsed = (System.nanoTime() - start) / 1_000_000_000L;
    err.printf(
        Locale.ROOT,
        "t=%ds submitted=%d finished=%d succeeded=%d failed=%d timed-out=%d%n",
        elapsed,
        submitted,
        tally.finished(),
        tally.succeeded(),
        tally.failed() + tally.expired(),
        tally.timedOut());
    err.flush();
  }

  private void report(
      PrintWriter out,
      long total,
      Tally tally,
      Histogram latencyMs,
      long start,
      long lastSubmit,
      long lastCompletion) {
    double submitSeconds = Math.max(1e-9, (lastSubmit - start) / 1e9);
    double achievedRate = total <= 1 ? rate : (total - 1) / submitSeconds;
    double windowSeconds = Math.max(1e-9, (Math.max(lastCompletion, lastSubmit) - start) / 1e9);
    double throughput = tally.succeeded() / windowSeconds;
    double imagesPerSecond = tally.images() / windowSeconds;
    long count = latencyMs.getTotalCount();
    long p50 = count == 0 ? 0 : latencyMs.getValueAtPercentile(50);
    long p90 = count == 0 ? 0 : latencyMs.getValueAtPercentile(90);
    long p99 = count == 0 ? 0 : latencyMs.getValueAtPercentile(99);
    long max = count == 0 ? 0 : latencyMs.getMaxValue();
    if (json) {
      ObjectNode node =
          JsonReporter.line("loadgen", null)
              .put("jobs", total)
              .put("targetRate", rate)
              .put("achievedRate", achievedRate)
              .put("throughputJobsPerSecond", throughput)
              .put("throughputImagesPerSecond", imagesPerSecond)
              .put("succeeded", tally.succeeded())
              .put("failed", tally.failed())
              .put("expired", tally.expired())
              .put("timedOut", tally.timedOut())
              .put("errors", tally.errors())
              .put("latencyP50Ms", p50)
              .put("latencyP90Ms", p90)
              .put("latencyP99Ms", p99)
              .put("latencyMaxMs", max)
              .put("exitCode", tally.exitCode());
      ObjectNode byCode = node.putObject("failuresByCode");
      tally.failuresByCode().forEach(byCode::put);
      out.println(node);
    } else {
      out.printf(
          Locale.ROOT,
          "jobs: %d submitted, target %.2f/s, achieved %.2f/s%n",
          total,
          rate,
          achievedRate);
      out.printf(
          Locale.ROOT,
          "throughput: %.3f jobs/s, %.3f images/s over %.1f s%n",
          throughput,
          imagesPerSecond,
          windowSeconds);
      out.printf(
          Locale.ROOT,
          "latency (submit to SUCCEEDED, ms): p50 %d, p90 %d, p99 %d, max %d (n=%d)%n",
          p50,
          p90,
          p99,
          max,
          count);
      out.printf(
          Locale.ROOT,
          "outcomes: %d succeeded, %d failed, %d expired, %d timed out, %d errors%n",
          tally.succeeded(),
          tally.failed(),
          tally.expired(),
          tally.timedOut(),
          tally.errors());
      Map<String, Integer> byCode = tally.failuresByCode();
      out.println("failures by code: " + (byCode.isEmpty() ? "none" : byCode));
    }
    out.flush();
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while (cur instanceof CompletionException && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }
}
