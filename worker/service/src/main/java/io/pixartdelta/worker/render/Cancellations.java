package io.pixartdelta.worker.render;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Cancel requests for jobs that are still being planned (between acceptance and their batch).
 *
 * <p>A cancel removes the job's queued copies from the batcher; a copy still being planned is not
 * there yet, so the request is remembered until that planning ends, and the copy is then cancelled
 * instead of queued. Queuing after planning and removing on cancel run under this object's lock, so
 * no copy can pass from planning into the queue between a cancel's two steps. Thread-safe.
 */
final class Cancellations {
  /** Copies being planned, per job id. */
  private final Map<String, Integer> planning = new HashMap<>();

  /** Cancel reasons ("" for none) of jobs with copies being planned. */
  private final Map<String, String> requested = new HashMap<>();

  /** A copy of {@code jobId} is handed to planning. */
  synchronized void planningStarted(String jobId) {
    planning.merge(jobId, 1, Integer::sum);
  }

  /**
   * Planning of a copy of {@code jobId} ended. Unless a cancel arrived meanwhile, runs {@code
   * enqueue} (null when the copy is not to be queued: it failed or completed from the store).
   *
   * @return the cancel's reason ("" if it gave none), or null if the job was not cancelled
   */
  synchronized String planningEnded(String jobId, Runnable enqueue) {
    String reason = requested.get(jobId);
    if (planning.merge(jobId, -1, Integer::sum) <= 0) {
      planning.remove(jobId);
      requested.remove(jobId);
    }
    if (reason == null && enqueue != null) {
      enqueue.run();
    }
    return reason;
  }

  /**
   * Cancels {@code jobId}: remembers the request for copies being planned and runs {@code
   * removeQueued} (which takes the queued copies out of the batcher) under the same lock.
   *
   * @return what {@code removeQueued} removed
   */
  synchronized <T> List<T> cancel(String jobId, String reason, Supplier<List<T>> removeQueued) {
    if (planning.containsKey(jobId)) {
      requested.put(jobId, reason == null ? "" : reason);
    }
    return removeQueued.get();
  }

  /** True while a copy of {@code jobId} is being planned. */
  synchronized boolean isPlanning(String jobId) {
    return planning.containsKey(jobId);
  }
}
