package io.pixartdelta.worker.kafka;

/** Lifecycle of the consumer loop (and so of the worker). */
public enum WorkerState {
  /** Created; not yet subscribed. */
  STARTING,
  /** Consuming and rendering. */
  RUNNING,
  /** Shutdown requested: no new jobs, finishing and committing the ones in flight. */
  DRAINING,
  /** Consumer closed. */
  CLOSED
}
