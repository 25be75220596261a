package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.storage.StorageException;
import java.awt.image.BufferedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The render service's last stage: checks each rendered job's images, encodes and stores them
 * (waiting out S3 outages) and reports the job SUCCEEDED or FAILED.
 *
 * <p>A pool of {@code uploadThreads} threads runs one task per job, so a batch's encodes and
 * uploads run in parallel (uploads are mostly waiting on S3) while the next batch renders. At most
 * {@code uploadThreads} batches wait here; then {@link #store} blocks the render thread, which
 * backs up the queue so that the consumer pauses.
 */
final class ResultUploader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResultUploader.class);

  private final OutputWriter writer;
  private final JobStatusReporter reporter;
  private final String workerId;
  private final Duration outageWait;
  private final Clock clock;
  private final ExecutorService executor;
  private final Semaphore batchSlots;
  private volatile boolean closed;

  ResultUploader(
      OutputWriter writer, JobStatusReporter reporter, RenderSettings settings, Clock clock) {
    this.writer = writer;
    this.reporter = reporter;
    this.workerId = settings.workerId();
    this.outageWait = settings.uploadOutageWait();
    this.clock = clock;
    this.executor =
        Executors.newFixedThreadPool(
            settings.uploadThreads(), RenderService.daemon("render-upload"));
    this.batchSlots = new Semaphore(settings.uploadThreads());
  }

  /**
   * Stores the results of a rendered batch, one task per job; each job's resources are released
   * when its task ends. Blocks while {@code uploadThreads} batches are still being stored. Jobs
   * that cannot be handed over because the uploader is closing are abandoned (redelivered).
   */
  void store(List<PlannedJob> jobs, List<RenderOutcome> outcomes, Instant startedAt, String batchId)
      throws InterruptedException {
    // The slot (one per batch) is freed when its last job is done.
    batchSlots.acquire();
    AtomicInteger left = new AtomicInteger(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      PlannedJob job = jobs.get(i);
      RenderOutcome outcome = outcomes.get(i);
      try {
        executor.execute(
            () -> {
              JobLogContext logContext = JobLogContext.job(job.incoming().job(), batchId);
              try {
                complete(job, outcome, startedAt, batchId, jobs.size());
              } finally {
                logContext.close();
                job.release();
                if (left.decrementAndGet() == 0) {
                  batchSlots.release();
                }
              }
            });
      } catch (RejectedExecutionException e) {
        int notStarted = jobs.size() - i;
        jobs.subList(i, jobs.size()).forEach(PlannedJob::release);
        reporter.abandoned(notStarted);
        if (left.addAndGet(-notStarted) == 0) {
          batchSlots.release();
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
        reporter.fail(
            in,
            error.retryable()
                ? ErrorInfo.transientFailure(checkedCode(error.code()), error.message())
                : ErrorInfo.permanent(checkedCode(error.code()), error.message()));
        return;
      }
      String mismatch = checkImages(job.item(), outcome.images());
      if (mismatch != null) {
        LOG.error("renderer broke its contract on job {}: {}", in.job().jobId(), mismatch);
        reporter.fail(in, ErrorInfo.permanent(ErrorCodes.RENDER_FAILED, mismatch));
        return;
      }
      OutputWriter.Written written = writeWaitingOutOutages(job, outcome.images());
      if (written == null) {
        reporter.abandoned(1); // shutting down during an S3 outage: not committed, so redelivered
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
      reporter.finish(
          in,
          StatusEvent.succeeded(
              in.job(),
              in.attempt(),
              workerId,
              startedAt,
              clock.instant(),
              batchId,
              batchSize,
              timings,
              results));
    } catch (JobRejectedException e) {
      LOG.warn("job {} refused while storing: {}", in.job().jobId(), e.getMessage());
      reporter.fail(in, e.error());
    } catch (StorageException e) {
      LOG.warn("storing the images of job {} failed: {}", in.job().jobId(), e.getMessage());
      String code =
          e.kind() == StorageException.Kind.NOT_ALLOWED
              ? ErrorCodes.OUTPUT_NOT_ALLOWED
              : ErrorCodes.UPLOAD_FAILED;
      reporter.fail(
          in,
          e.retryable()
              ? ErrorInfo.transientFailure(code, e.getMessage())
              : ErrorInfo.permanent(code, e.getMessage()));
    } catch (RuntimeException e) {
      LOG.error("finishing job {} failed", in.job().jobId(), e);
      reporter.fail(in, ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, "finishing failed: " + e));
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
    long giveUp = System.nanoTime() + outageWait.toNanos();
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
      if (closed) {
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

  /** Stops taking batches, lets running uploads end (up to 10 s), then interrupts them. */
  @Override
  public void close() {
    closed = true;
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
