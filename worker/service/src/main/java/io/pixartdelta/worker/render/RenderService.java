package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.batch.Batch;
import io.pixartdelta.worker.batch.BatchKey;
import io.pixartdelta.worker.batch.MicroBatcher;
import io.pixartdelta.worker.batch.Queued;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.StorageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes accepted jobs to a terminal status: plan → micro-batch → render, then hands the rendered
 * jobs to a {@link ResultUploader} (encode + upload, waiting out S3 outages → SUCCEEDED or FAILED).
 * {@link JobStatusReporter} publishes the events and counts the jobs not yet done.
 *
 * <p>Threads: {@link #submit} runs on the caller's (consumer) thread and only checks and queues;
 * one render thread forms batches and calls the {@link Renderer}; the uploader's pool stores the
 * jobs of finished batches while the next batch renders. Jobs are planned on a pool of {@code
 * uploadThreads} threads, because planning does I/O before the job's batch key is known: it looks
 * up the job's stored images (the same request delivered again completes from them without
 * rendering; a different request under the same jobId fails, see {@link RequestFingerprint}) and
 * loads control images, whose decoded memory is bounded together ({@link ControlImageBudget}).
 *
 * <p>Every job ends in exactly one terminal event. {@link IncomingJob#onDone()} runs only after
 * that event is acknowledged by the {@link StatusSink}, so the caller can commit the job's offset.
 * If a terminal event cannot be stored the service reports a fatal error (the worker must stop so
 * that uncommitted jobs are redelivered).
 */
public final class RenderService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RenderService.class);

  private final FailureIsolation isolation;
  private final RenderSettings settings;
  private final Clock clock;
  private final Consumer<Throwable> fatal;
  private final JobPlanner planner;
  private final OutputWriter writer;
  private final JobStatusReporter reporter;
  private final ResultUploader uploader;
  private final MicroBatcher<PlannedJob> batcher;
  private final Cancellations cancellations = new Cancellations();
  private final ExecutorService prepareExecutor;
  private final Thread renderThread;
  private final AtomicLong batchSequence = new AtomicLong();
  private volatile boolean draining;
  private volatile boolean running = true;

  /**
   * Starts the render thread.
   *
   * @param fatal told when the service can no longer guarantee delivery (a terminal status event
   *     failed); the worker should stop
   */
  public RenderService(
      Renderer renderer,
      ObjectStore store,
      StatusSink status,
      RenderSettings settings,
      Clock clock,
      Consumer<Throwable> fatal) {
    Objects.requireNonNull(renderer, "renderer");
    this.isolation = new FailureIsolation(renderer);
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.fatal = Objects.requireNonNull(fatal, "fatal");
    this.planner = new JobPlanner(settings, renderer, store);
    this.writer =
        new OutputWriter(
            store,
            new OutputImageEncoder(settings.pngCompressionLevel()),
            settings.workerId(),
            renderer.modelId(),
            settings.parameterEmbedding());
    this.reporter =
        new JobStatusReporter(
            Objects.requireNonNull(status, "status"), settings.workerId(), clock, fatal);
    this.uploader = new ResultUploader(writer, reporter, settings, clock);
    this.batcher = new MicroBatcher<>(settings.batch(), clock);
    this.prepareExecutor =
        Executors.newFixedThreadPool(settings.uploadThreads(), daemon("render-prepare"));
    this.renderThread = daemon("render-loop").newThread(this::renderLoop);
    this.renderThread.start();
  }

  /**
   * Accepts a job. Returns quickly: jobs that cannot run here fail at once, the others are queued.
   */
  public void submit(IncomingJob incoming) {
    reporter.received();
    RenderJob job = incoming.job();
    Instant now = clock.instant();
    if (job.deadline() != null && !now.isBefore(job.deadline())) {
      reporter.finish(
          incoming, StatusEvent.expired(job, incoming.attempt(), settings.workerId(), now));
      return;
    }
    OutputTarget target;
    try {
      target = planner.check(job);
    } catch (JobRejectedException e) {
      reporter.fail(incoming, e.error());
      return;
    }
    reporter.progress(StatusEvent.accepted(job, incoming.attempt(), settings.workerId(), now));
    // Planning does I/O (stored images, control images): off the consumer thread.
    cancellations.planningStarted(job.jobId());
    try {
      prepareExecutor.execute(() -> planAndQueue(incoming, target));
    } catch (RejectedExecutionException e) {
      cancellations.planningEnded(job.jobId(), null);
      reporter.abandoned(1); // shutting down: the job is redelivered
    }
  }

  /**
   * Plans the job and queues it. Catches everything, errors included: a job that reached here must
   * end in a terminal event (or be abandoned when the service stops), whatever its input does.
   */
  private void planAndQueue(IncomingJob incoming, OutputTarget target) {
    String jobId = incoming.job().jobId();
    PlannedJob planned = null;
    boolean ended = false;
    JobLogContext logContext = JobLogContext.job(incoming.job());
    try {
      planned = planner.plan(incoming, target);
      Optional<List<ImageResult>> stored = storedEarlier(planned);
      if (stored.isPresent()) {
        planned.release();
        ended = true;
        cancellations.planningEnded(jobId, null); // already done: too late to cancel
        finishFromStore(incoming, stored.get());
        return;
      }
      PlannedJob queued = planned;
      BatchKey key = planned.item().batchKey();
      ended = true;
      String cancelled =
          cancellations.planningEnded(
              jobId,
              () -> batcher.add(queued, key, incoming.job().priority(), incoming.job().deadline()));
      if (cancelled != null) {
        planned.release();
        finishCancelled(incoming, cancelled);
      }
    } catch (JobRejectedException e) {
      release(planned);
      reporter.fail(incoming, e.error());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reporter.abandoned(1); // stopping: not committed, so redelivered
    } catch (Throwable e) {
      release(planned);
      LOG.error("cannot plan job {}", incoming.job().jobId(), e);
      reporter.fail(
          incoming, ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, "planning failed: " + e));
    } finally {
      if (!ended) {
        cancellations.planningEnded(jobId, null);
      }
      logContext.close();
    }
  }

  /**
   * Cancels every copy of {@code jobId} that has not started rendering (queued, or still being
   * planned): each ends CANCELLED. A job that has started or finished here, or that this worker
   * does not hold, is left as it is.
   *
   * @return the number of queued copies cancelled now (copies being planned are cancelled when
   *     their planning ends)
   */
  public int cancel(String jobId, String reason) {
    boolean planning = cancellations.isPlanning(jobId);
    List<Queued<PlannedJob>> removed =
        cancellations.cancel(
            jobId, reason, () -> batcher.removeIf(p -> p.incoming().job().jobId().equals(jobId)));
    for (Queued<PlannedJob> queued : removed) {
      queued.item().release();
      finishCancelled(queued.item().incoming(), reason);
    }
    if (removed.isEmpty() && !planning) {
      LOG.info("cancel of job {}: not queued here (started, finished or not received)", jobId);
    }
    return removed.size();
  }

  private void finishCancelled(IncomingJob incoming, String reason) {
    LOG.info("job {} cancelled before rendering", incoming.job().jobId());
    reporter.finish(
        incoming,
        StatusEvent.cancelled(
            incoming.job(), incoming.attempt(), settings.workerId(), clock.instant(), reason));
  }

  private static void release(PlannedJob planned) {
    if (planned != null) {
      planned.release();
    }
  }

  /**
   * The job's images if an earlier delivery of the same request stored them all. A store failure
   * here only costs the shortcut: the job renders, and the upload runs the same check.
   *
   * @throws JobRejectedException with job-id-conflict
   */
  private Optional<List<ImageResult>> storedEarlier(PlannedJob planned) {
    try {
      return writer.findStored(planned);
    } catch (StorageException e) {
      LOG.warn(
          "cannot look up stored images of job {} ({}); rendering it",
          planned.incoming().job().jobId(),
          e.getMessage());
      return Optional.empty();
    }
  }

  /** SUCCEEDED from stored images: no batch, nothing rendered. */
  private void finishFromStore(IncomingJob incoming, List<ImageResult> results) {
    Instant now = clock.instant();
    LOG.info("job {} was already rendered; reporting its stored images", incoming.job().jobId());
    reporter.finish(
        incoming,
        StatusEvent.builder(incoming.job(), JobState.SUCCEEDED)
            .attempt(incoming.attempt())
            .workerId(settings.workerId())
            .eventTime(now)
            .startedAt(now)
            .finishedAt(now)
            .timings(
                new StageTimings(
                    Duration.between(incoming.receivedAt(), now).toMillis(),
                    null,
                    null,
                    null,
                    null,
                    null))
            .results(results)
            .build());
  }

  /** Bytes of decoded control images held by jobs between planning and completion. */
  public long controlImageBytesHeld() {
    return planner.controlImageBytesHeld();
  }

  /** How long the oldest job waiting for a batch has waited; zero when none waits. */
  public Duration oldestQueuedAge() {
    return batcher
        .oldestEnqueuedAt()
        .map(at -> Duration.between(at, clock.instant()))
        .filter(age -> !age.isNegative())
        .orElse(Duration.ZERO);
  }

  /** Jobs accepted and not yet finished (queued, rendering or uploading). */
  public int pending() {
    return reporter.pending();
  }

  /**
   * Drops queued (not yet started) jobs whose {@link IncomingJob#source()} matches, e.g. the jobs
   * of revoked partitions: another worker will process them. Started jobs run to completion.
   */
  public void abandon(Predicate<Object> source) {
    List<Queued<PlannedJob>> removed = batcher.removeIf(p -> source.test(p.incoming().source()));
    removed.forEach(queued -> queued.item().release());
    if (!removed.isEmpty()) {
      LOG.info("abandoned {} queued jobs of revoked partitions", removed.size());
      reporter.abandoned(removed.size());
    }
  }

  /** From now on batches close without waiting for more jobs (shutdown drain). */
  public void startDrain() {
    draining = true;
    batcher.wakeUp();
  }

  /** Waits until no job is pending; false on timeout. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return reporter.awaitIdle(timeout);
  }

  private void renderLoop() {
    while (running) {
      try {
        for (Queued<PlannedJob> expired : batcher.takeExpired()) {
          expired.item().release();
          IncomingJob incoming = expired.item().incoming();
          reporter.finish(
              incoming,
              StatusEvent.expired(
                  incoming.job(), incoming.attempt(), settings.workerId(), clock.instant()));
        }
        Optional<Batch<PlannedJob>> batch = draining ? batcher.pollAny() : batcher.pollReady();
        if (batch.isPresent()) {
          renderBatch(batch.get());
        } else {
          batcher.awaitChange(timeToNextWakeUp());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        // A bug in the loop itself: keep the worker alive only if the loop can go on.
        LOG.error("render loop failed", e);
        fatal.accept(e);
        return;
      }
    }
  }

  private Duration timeToNextWakeUp() {
    Optional<Instant> wake = batcher.nextWakeUp();
    if (wake.isEmpty()) {
      return Duration.ofSeconds(1);
    }
    Duration until = Duration.between(clock.instant(), wake.get());
    if (until.isNegative() || until.isZero()) {
      return Duration.ofMillis(1);
    }
    return until.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : until;
  }

  private void renderBatch(Batch<PlannedJob> batch) throws InterruptedException {
    String batchId = settings.workerId() + "-b" + batchSequence.incrementAndGet();
    JobLogContext logContext = JobLogContext.batch(batchId);
    try {
      renderBatch(batch, batchId);
    } finally {
      logContext.close();
    }
  }

  private void renderBatch(Batch<PlannedJob> batch, String batchId) throws InterruptedException {
    Instant startedAt = clock.instant();
    List<PlannedJob> jobs = batch.items();
    for (PlannedJob job : jobs) {
      IncomingJob in = job.incoming();
      reporter.progress(
          StatusEvent.started(
              in.job(), in.attempt(), settings.workerId(), startedAt, batchId, jobs.size()));
    }
    List<RenderItem> items = jobs.stream().map(PlannedJob::item).toList();
    List<RenderOutcome> outcomes = isolation.render(items);
    LOG.debug("batch {} ({} x {}) rendered", batchId, jobs.size(), batch.key());

    uploader.store(jobs, outcomes, startedAt, batchId);
  }

  /** Stops the threads; jobs still pending are abandoned (not committed, so redelivered). */
  @Override
  public void close() {
    running = false;
    batcher.wakeUp();
    renderThread.interrupt();
    prepareExecutor.shutdownNow();
    uploader.close();
    try {
      renderThread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
