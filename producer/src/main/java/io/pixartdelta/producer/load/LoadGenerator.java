package io.pixartdelta.producer.load;

import io.pixartdelta.producer.JobResult;
import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Submits jobs through a {@link RenderClient} following a {@link LoadShape}, waits for each to
 * finish and reports counts, throughput and submit-to-SUCCEEDED latency percentiles.
 *
 * <p>The submitting thread only paces and hands jobs to the client; outcomes are recorded on the
 * client's status thread, so the generator adds two threads (the submitting one and a progress
 * ticker) and no per-job blocking.
 */
public final class LoadGenerator {
  /** The job to submit as number {@code sequence} (0, 1, 2, ...); ids must be unique per run. */
  @FunctionalInterface
  public interface JobSource {
    RenderJob job(long sequence);
  }

  private final RenderClient client;
  private final LoadShape shape;
  private final JobSource jobs;
  private final Duration progressEvery;
  private final Consumer<LoadReport> progress;
  private final Consumer<JobResult> results;

  /** A generator without progress reports. */
  public LoadGenerator(RenderClient client, LoadShape shape, JobSource jobs) {
    this(client, shape, jobs, Duration.ofSeconds(5), report -> {});
  }

  /**
   * A generator that hands {@code progress} a report of the run so far every {@code progressEvery},
   * from submission start until the last outcome, whatever the jobs do (called from a progress
   * thread of its own).
   */
  public LoadGenerator(
      RenderClient client,
      LoadShape shape,
      JobSource jobs,
      Duration progressEvery,
      Consumer<LoadReport> progress) {
    this(client, shape, jobs, progressEvery, progress, result -> {});
  }

  private LoadGenerator(
      RenderClient client,
      LoadShape shape,
      JobSource jobs,
      Duration progressEvery,
      Consumer<LoadReport> progress,
      Consumer<JobResult> results) {
    this.client = Objects.requireNonNull(client, "client");
    this.shape = Objects.requireNonNull(shape, "shape");
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.progressEvery = Objects.requireNonNull(progressEvery, "progressEvery");
    if (progressEvery.isNegative() || progressEvery.isZero()) {
      throw new IllegalArgumentException("progressEvery must be positive, got " + progressEvery);
    }
    this.progress = Objects.requireNonNull(progress, "progress");
    this.results = Objects.requireNonNull(results, "results");
  }

  /**
   * A copy that also hands every terminal result (succeeded, failed or expired) to {@code
   * listener}, on the client's status thread: keep it cheap. Used to aggregate the stage timings
   * the worker reports in its status events.
   */
  public LoadGenerator withResultListener(Consumer<JobResult> listener) {
    return new LoadGenerator(client, shape, jobs, progressEvery, progress, listener);
  }

  /**
   * Submits until the shape's duration or job count is reached, then waits for every job's outcome
   * (bounded by the client's per-job timeout).
   *
   * @throws InterruptedException if interrupted; jobs already submitted keep running
   */
  public LoadReport run() throws InterruptedException {
    Recorder recorder = new Recorder();
    Semaphore inFlight = shape.closedLoop() ? new Semaphore(shape.maxInFlight()) : null;
    long periodNanos = shape.closedLoop() ? 0 : (long) (1e9 / shape.ratePerSecond());
    long limit = shape.maxJobs() > 0 ? shape.maxJobs() : Long.MAX_VALUE;
    long start = System.nanoTime();
    recorder.start = start;
    long end = shape.duration() == null ? Long.MAX_VALUE : start + shape.duration().toNanos();
    List<CompletableFuture<JobResult>> futures = new ArrayList<>();
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "loadgen-progress");
              thread.setDaemon(true);
              return thread;
            });
    long every = progressEvery.toNanos();
    ticker.scheduleAtFixedRate(
        () -> progress.accept(recorder.report()), every, every, TimeUnit.NANOSECONDS);
    try {
      submitAll(recorder, inFlight, periodNanos, limit, start, end, futures);
      // Each job's outcome is recorded by its whenComplete stage, failures included.
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
          .exceptionally(error -> null)
          .get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("unexpected failure of the outcome stages", e);
    } finally {
      ticker.shutdownNow();
    }
    return recorder.report();
  }

  private void submitAll(
      Recorder recorder,
      Semaphore inFlight,
      long periodNanos,
      long limit,
      long start,
      long end,
      List<CompletableFuture<JobResult>> futures)
      throws InterruptedException {
    for (long i = 0; i < limit; i++) {
      if (inFlight != null) {
        long wait = end == Long.MAX_VALUE ? progressEvery.toNanos() : end - System.nanoTime();
        boolean acquired = false;
        while (!acquired && wait > 0) {
          acquired =
              inFlight.tryAcquire(Math.min(wait, progressEvery.toNanos()), TimeUnit.NANOSECONDS);
          wait = end == Long.MAX_VALUE ? progressEvery.toNanos() : end - System.nanoTime();
        }
        if (!acquired) {
          break;
        }
      } else {
        long due = start + i * periodNanos;
        if (due >= end) {
          break;
        }
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      if (System.nanoTime() >= end) {
        break;
      }
      RenderJob job = jobs.job(i);
      long submitted = System.nanoTime();
      recorder.submitted(submitted);
      CompletableFuture<JobResult> future = client.submit(job);
      // Wait on the recording stage, not the future: dependents of a future may run in any
      // order, so allOf(future) could finish before the outcome is counted.
      futures.add(
          future.whenComplete(
              (result, error) -> {
                recorder.finished(submitted, System.nanoTime(), result, error);
                if (result != null) {
                  results.accept(result);
                }
                if (inFlight != null) {
                  inFlight.release();
                }
              }));
    }
  }

  /** Outcomes and timestamps of one run; written from the client's threads. */
  private static final class Recorder {
    private final Histogram latencyMs = new ConcurrentHistogram(3);
    private final Map<String, Long> failuresByCode = new TreeMap<>();
    private long[] successTimes = new long[1024];
    private volatile long start;
    private long submitted;
    private long lastSubmit;
    private long succeeded;
    private long failed;
    private long expired;
    private long timedOut;
    private long errors;
    private long images;
    private long firstCompletion = Long.MAX_VALUE;
    private long lastCompletion;

    synchronized void submitted(long at) {
      submitted++;
      lastSubmit = at;
    }

    synchronized void finished(long submittedAt, long at, JobResult result, Throwable error) {
      firstCompletion = Math.min(firstCompletion, at);
      lastCompletion = Math.max(lastCompletion, at);
      if (result == null) {
        if (unwrap(error) instanceof JobTimeoutException) {
          timedOut++;
        } else {
          errors++;
        }
        return;
      }
      if (result.succeeded()) {
        if (succeeded == successTimes.length) {
          successTimes = java.util.Arrays.copyOf(successTimes, successTimes.length * 2);
        }
        successTimes[(int) succeeded] = at;
        succeeded++;
        images += result.results().size();
        latencyMs.recordValue(Math.max(0, (at - submittedAt) / 1_000_000));
        return;
      }
      if (result.state() == JobState.EXPIRED) {
        expired++;
      } else {
        failed++;
      }
      failuresByCode.merge(String.valueOf(result.errorCode()), 1L, Long::sum);
    }

    synchronized LoadReport report() {
      long last = Math.max(lastCompletion, lastSubmit);
      double elapsed = Math.max(1e-9, (last - start) / 1e9);
      double submitSpan = (lastSubmit - start) / 1e9;
      double submitRate =
          submitted <= 1 || submitSpan <= 0 ? submitted / elapsed : (submitted - 1) / submitSpan;
      double steady = (lastSubmit - firstCompletion) / 1e9;
      long inWindow = 0;
      for (int i = 0; i < succeeded; i++) {
        if (successTimes[i] >= firstCompletion && successTimes[i] <= lastSubmit) {
          inWindow++;
        }
      }
      double throughput;
      LoadReport.ThroughputWindow window;
      // A window much shorter than the run (a short closed loop submits its last job right after
      // the first completions) would time one burst of batch completions: use the whole run.
      if (steady >= elapsed / 2 && inWindow > 1) {
        window = LoadReport.ThroughputWindow.STEADY;
        throughput = inWindow / steady;
      } else {
        window = LoadReport.ThroughputWindow.WHOLE_RUN;
        steady = elapsed;
        throughput = succeeded / elapsed;
      }
      long n = latencyMs.getTotalCount();
      return new LoadReport(
          submitted,
          succeeded,
          failed,
          expired,
          timedOut,
          errors,
          images,
          failuresByCode,
          elapsed,
          submitRate,
          window,
          steady,
          throughput,
          images / elapsed,
          n == 0 ? 0 : latencyMs.getValueAtPercentile(50),
          n == 0 ? 0 : latencyMs.getValueAtPercentile(90),
          n == 0 ? 0 : latencyMs.getValueAtPercentile(99),
          n == 0 ? 0 : latencyMs.getMaxValue());
    }

    private static Throwable unwrap(Throwable t) {
      Throwable cur = t;
      while (cur instanceof CompletionException && cur.getCause() != null) {
        cur = cur.getCause();
      }
      return cur;
    }
  }
}
