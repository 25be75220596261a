package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the status events of the render service's jobs and counts the jobs not yet done. A job
 * is done when its terminal event is acknowledged (then {@link IncomingJob#onDone()} runs, so the
 * caller can commit its offset) or when it is abandoned to be redelivered. A terminal event that
 * cannot be stored is fatal: the worker must stop so that uncommitted jobs are redelivered.
 */
final class JobStatusReporter {
  private static final Logger LOG = LoggerFactory.getLogger(JobStatusReporter.class);

  private final StatusSink status;
  private final String workerId;
  private final Clock clock;
  private final Consumer<Throwable> fatal;
  private final AtomicInteger pending = new AtomicInteger();
  private final Object idle = new Object();

  JobStatusReporter(StatusSink status, String workerId, Clock clock, Consumer<Throwable> fatal) {
    this.status = status;
    this.workerId = workerId;
    this.clock = clock;
    this.fatal = fatal;
  }

  /** A job came in: pending until it is finished or abandoned. */
  void received() {
    pending.incrementAndGet();
  }

  /** Jobs accepted and not yet done. */
  int pending() {
    return pending.get();
  }

  /** FAILED with {@code error}, now. */
  void fail(IncomingJob incoming, ErrorInfo error) {
    finish(
        incoming,
        StatusEvent.failed(incoming.job(), incoming.attempt(), workerId, clock.instant(), error));
  }

  /** Publishes a terminal event; the job is done when it is acknowledged. */
  void finish(IncomingJob incoming, StatusEvent event) {
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
            done(1);
          }
        });
  }

  /** Publishes a progress event (ACCEPTED, STARTED); its loss only costs visibility. */
  void progress(StatusEvent event) {
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

  /** {@code count} jobs end here without a status: not committed, so redelivered. */
  void abandoned(int count) {
    done(count);
  }

  /** Waits until no job is pending; false on timeout. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
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

  private void done(int count) {
    if (pending.addAndGet(-count) <= 0) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }
}
