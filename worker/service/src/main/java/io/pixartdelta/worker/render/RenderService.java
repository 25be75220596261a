package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.batch.Batch;
import io.pixartdelta.worker.batch.MicroBatcher;
import io.pixartdelta.worker.batch.Queued;
import io.pixartdelta.worker.batch.ShapeKey;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.StorageException;
import java.awt.image.BufferedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes accepted jobs to a terminal status: plan → micro-batch → render → encode + upload →
 * SUCCEEDED (or FAILED / EXPIRED), then tells the caller the job is done.
 *
 * <p>Threads: {@link #submit} runs on the caller's (consumer) thread and only checks and queues;
 * one render thread forms batches and calls the {@link Renderer}; a small pool encodes and uploads
 * the jobs of finished batches, one task per job, while the next batch renders (at most {@code
 * uploadThreads} batches wait there, then the render thread blocks). Jobs are planned on a pool of
 * {@code uploadThreads} threads, because planning does I/O before the job's batch key is known: it
 * looks up the job's stored images (the same request delivered again completes from them without
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

  private final Renderer renderer;
  private final FailureIsolation isolation;
  private final StatusSink status;
  private final RenderSettings settings;
  private final Clock clock;
  private final Consumer<Throwable> fatal;
  private final JobPlanner planner;
  private final OutputWriter writer;
  private final MicroBatcher<PlannedJob> batcher;
  private final Cancellations cancellations = new Cancellations();
  private final ExecutorService prepareExecutor;
  private final ExecutorService postExecutor;
  private final Semaphore postSlots;
  private final Thread renderThread;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong batchSequence = new AtomicLong();
  private final Object idle = new Object();
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
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.isolation = new FailureIsolation(renderer);
    this.status = Objects.requireNonNull(status, "status");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.fatal = Objects.requireNonNull(fatal, "fatal");
    this.planner = new JobPlanner(settings, renderer.supportsControl(), store);
    this.writer =
        new OutputWriter(
            store,
            new ImageEncoder(settings.pngCompressionLevel()),
            settings.workerId(),
            renderer.modelId(),
            settings.parameterEmbedding());
    this.batcher = new MicroBatcher<>(settings.batch(), clock);
    this.prepareExecutor =
        Executors.newFixedThreadPool(settings.uploadThreads(), daemon("render-prepare"));
    this.postExecutor =
        Executors.newFixedThreadPool(settings.uploadThreads(), daemon("render-upload"));
    this.postSlots = new Semaphore(settings.uploadThreads());
    this.renderThread = daemon("render-loop").newThread(this::renderLoop);
    this.renderThread.start();
  }

  /**
   * Accepts a job. Returns quickly: jobs that cannot run here fail at once, the others are queued.
   */
  public void submit(IncomingJob incoming) {
    pending.incrementAndGet();
    RenderJob job = incoming.job();
    Instant now = clock.instant();
    if (job.deadline() != null && !now.isBefore(job.deadline())) {
      finish(incoming, StatusEvent.expired(job, incoming.attempt(), settings.workerId(), now));
      return;
    }
    OutputTarget target;
    try {
      target = planner.check(job);
    } catch (JobRejectedException e) {
      fail(incoming, e.error());
      return;
    }
    progress(StatusEvent.accepted(job, incoming.attempt(), settings.workerId(), now));
    // Planning does I/O (stored images, control images): off the consumer thread.
    cancellations.planningStarted(job.jobId());
    try {
      prepareExecutor.execute(() -> planAndQueue(incoming, target));
    } catch (RejectedExecutionException e) {
      cancellations.planningEnded(job.jobId(), null);
      abandoned(1); // shutting down: the job is redelivered
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
      ShapeKey key = renderer.shapeKey(planned.item());
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
      fail(incoming, e.error());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandoned(1); // stopping: not committed, so redelivered
    } catch (Throwable e) {
      release(planned);
      LOG.error("cannot plan job {}", incoming.job().jobId(), e);
      fail(incoming, ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, "planning failed: " + e));
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
    finish(
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
    finish(
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
    return pending.get();
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
      abandoned(removed.size());
    }
  }

  /** From now on batches close without waiting for more jobs (shutdown drain). */
  public void startDrain() {
    draining = true;
    batcher.wakeUp();
  }

  /** Waits until no job is pending; false on timeout. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (pending.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        idle.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
    return true;
  }

  private void renderLoop() {
    while (running) {
      try {
        for (Queued<PlannedJob> expired : batcher.takeExpired()) {
          expired.item().release();
          IncomingJob incoming = expired.item().incoming();
          finish(
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
      progress(
          StatusEvent.started(
              in.job(), in.attempt(), settings.workerId(), startedAt, batchId, jobs.size()));
    }
    List<RenderItem> items = jobs.stream().map(PlannedJob::item).toList();
    List<RenderOutcome> outcomes = isolation.render(items);
    LOG.debug("batch {} ({} x {}) rendered", batchId, jobs.size(), batch.key());

    // One task per job, so a batch's encodes and uploads run in parallel on the pool (uploads are
    // mostly waiting on S3); the slot (one per batch) is freed when its last job is done.
    postSlots.acquire();
    AtomicInteger left = new AtomicInteger(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      PlannedJob job = jobs.get(i);
      RenderOutcome outcome = outcomes.get(i);
      try {
        postExecutor.execute(
            () -> {
              JobLogContext logContext = JobLogContext.job(job.incoming().job(), batchId);
              try {
                complete(job, outcome, startedAt, batchId, jobs.size());
              } finally {
                logContext.close();
                job.release();
                if (left.decrementAndGet() == 0) {
                  postSlots.release();
                }
              }
            });
      } catch (RejectedExecutionException e) {
        int notStarted = jobs.size() - i;
        jobs.subList(i, jobs.size()).forEach(PlannedJob::release);
        abandoned(notStarted);
        if (left.addAndGet(-notStarted) == 0) {
          postSlots.release();
        }
        break;
      }
    }
  }

  private void complete(
      PlannedJob job, RenderOutcome outcome, Instant startedAt, String batchId, int batchSize) {
    IncomingJob in = job.incoming();
    try {
      if (!outcome.succeeded()) {
        JobError error = outcome.error();
        fail(
            in,
            error.retryable()
                ? ErrorInfo.transientFailure(checkedCode(error.code()), error.message())
                : ErrorInfo.permanent(checkedCode(error.code()), error.message()));
        return;
      }
      String mismatch = checkImages(job.item(), outcome.images());
      if (mismatch != null) {
        LOG.error("renderer broke its contract on job {}: {}", in.job().jobId(), mismatch);
        fail(in, ErrorInfo.permanent(ErrorCodes.RENDER_FAILED, mismatch));
        return;
      }
      OutputWriter.Written written = writeWaitingOutOutages(job, outcome.images());
      if (written == null) {
        abandoned(1); // shutting down during an S3 outage: not committed, so redelivered
        return;
      }
      StageMillis model = outcome.timings();
      StageTimings timings =
          new StageTimings(
              Duration.between(in.receivedAt(), startedAt).toMillis(),
              model.textEncodeMs(),
              model.denoiseMs(),
              model.decodeMs(),
              written.encodeMs(),
              written.uploadMs());
      List<ImageResult> results = written.results();
      finish(
          in,
          StatusEvent.succeeded(
              in.job(),
              in.attempt(),
              settings.workerId(),
              startedAt,
              clock.instant(),
              batchId,
              batchSize,
              timings,
              results));
    } catch (JobRejectedException e) {
      LOG.warn("job {} refused while storing: {}", in.job().jobId(), e.getMessage());
      fail(in, e.error());
    } catch (StorageException e) {
      LOG.warn("storing the images of job {} failed: {}", in.job().jobId(), e.getMessage());
      String code =
          e.kind() == StorageException.Kind.NOT_ALLOWED
              ? ErrorCodes.OUTPUT_NOT_ALLOWED
              : ErrorCodes.UPLOAD_FAILED;
      fail(
          in,
          e.retryable()
              ? ErrorInfo.transientFailure(code, e.getMessage())
              : ErrorInfo.permanent(code, e.getMessage()));
    } catch (RuntimeException e) {
      LOG.error("finishing job {} failed", in.job().jobId(), e);
      fail(in, ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, "finishing failed: " + e));
    }
  }

  /**
   * Writes the images; while S3 fails transiently (after the store's own retries, or with its
   * circuit breaker open) keeps this upload thread waiting and retrying, up to the outage wait. The
   * blocked thread backs up the render thread and the queue, so the consumer pauses instead of
   * failing every job during an outage. Returns null if the service stops meanwhile.
   *
   * @throws StorageException when the failure is permanent or the outage outlasts the wait
   */
  private OutputWriter.Written writeWaitingOutOutages(PlannedJob job, List<BufferedImage> images) {
    long giveUp = System.nanoTime() + settings.uploadOutageWait().toNanos();
    long pauseMillis = 250;
    while (true) {
      try {
        return writer.write(job, images);
      } catch (StorageException e) {
        if (!e.retryable() || System.nanoTime() + pauseMillis * 1_000_000 > giveUp) {
          throw e;
        }
        LOG.warn(
            "S3 unavailable for job {} ({}); retrying in {} ms",
            job.incoming().job().jobId(),
            e.getMessage(),
            pauseMillis);
      }
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      if (!running) {
        return null;
      }
      pauseMillis = Math.min(pauseMillis * 2, 5_000);
    }
  }

  private static String checkImages(RenderItem item, List<BufferedImage> images) {
    if (images.size() != item.numImages()) {
      return "expected " + item.numImages() + " images, got " + images.size();
    }
    for (BufferedImage image : images) {
      if (image.getWidth() != item.width() || image.getHeight() != item.height()) {
        return "expected "
            + item.width()
            + "x"
            + item.height()
            + " images, got "
            + image.getWidth()
            + "x"
            + image.getHeight();
      }
    }
    return null;
  }

  private static String checkedCode(String code) {
    return ErrorCodes.isKnown(code) ? code : ErrorCodes.RENDER_FAILED;
  }

  private void fail(IncomingJob incoming, ErrorInfo error) {
    finish(
        incoming,
        StatusEvent.failed(
            incoming.job(), incoming.attempt(), settings.workerId(), clock.instant(), error));
  }

  /** Publishes a terminal event; the job is done when it is acknowledged. */
  private void finish(IncomingJob incoming, StatusEvent event) {
    JobOutcomeLog.ended(incoming.job(), event);
    CompletableFutureBridge.whenDone(
        status.publish(event),
        error -> {
          try {
            if (error == null) {
              incoming.onDone().run();
            } else if (StatusRejectedException.isCause(error)) {
              // Resending cannot help and stopping would refuse it again after every restart.
              LOG.error(
                  "terminal status of job {} ({}) was refused; the job is done without it",
                  event.jobId(),
                  event.state(),
                  error);
              incoming.onDone().run();
            } else {
              LOG.error("terminal status of job {} could not be published", event.jobId(), error);
              fatal.accept(new StatusPublishException(event.jobId(), error));
            }
          } finally {
            decrementPending(1);
          }
        });
  }

  /** Publishes a progress event (ACCEPTED, STARTED); its loss only costs visibility. */
  private void progress(StatusEvent event) {
    CompletableFutureBridge.whenDone(
        status.publish(event),
        error -> {
          if (error != null) {
            LOG.warn(
                "{} status of job {} was not published: {}",
                event.state(),
                event.jobId(),
                error.toString());
          }
        });
  }

  private void abandoned(int count) {
    decrementPending(count);
  }

  private void decrementPending(int count) {
    if (pending.addAndGet(-count) <= 0) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  /** Stops the threads; jobs still pending are abandoned (not committed, so redelivered). */
  @Override
  public void close() {
    running = false;
    batcher.wakeUp();
    renderThread.interrupt();
    prepareExecutor.shutdownNow();
    postExecutor.shutdown();
    try {
      renderThread.join(TimeUnit.SECONDS.toMillis(10));
      if (!postExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
        postExecutor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      postExecutor.shutdownNow();
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
