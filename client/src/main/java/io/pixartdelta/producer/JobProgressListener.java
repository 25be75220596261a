package io.pixartdelta.producer;

import io.pixartdelta.schemas.StatusEvent;

/**
 * Receives a job's progress: ACCEPTED → STARTED → terminal, each state at most once per attempt.
 *
 * <p>Duplicated and stale (out-of-order) events are filtered out before the listener sees them, so
 * the events it gets are strictly increasing in (attempt, state). A terminal event always comes
 * last; a job whose events arrive late may skip ACCEPTED or STARTED. Called on the client's status
 * thread: return quickly, and exceptions thrown here are logged and ignored.
 */
@FunctionalInterface
public interface JobProgressListener {
  /** One new state of the job. */
  void onStatus(StatusEvent event);

  /** Listener that ignores everything. */
  static JobProgressListener none() {
    return event -> {};
  }
}
