package io.pixartdelta.worker.tracing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The trace context of each job in flight, by jobId: remembered when its record is read, looked up
 * when its status events are sent, forgotten after its terminal event. Bounded, because a job that
 * is abandoned (partition revoked, shutdown) never reaches a terminal event here.
 */
public final class JobTraces {
  private static final int DEFAULT_CAPACITY = 10_000;

  private final Map<String, TraceHeaders> byJob;

  public JobTraces() {
    this(DEFAULT_CAPACITY);
  }

  JobTraces(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.byJob =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, TraceHeaders> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Remembers the job's trace context (or forgets an older one if the record carries none). */
  public synchronized void remember(String jobId, Optional<TraceHeaders> headers) {
    if (headers.isPresent()) {
      byJob.put(jobId, headers.get());
    } else {
      byJob.remove(jobId);
    }
  }

  /** The job's trace context, if its record had one. */
  public synchronized Optional<TraceHeaders> of(String jobId) {
    return Optional.ofNullable(byJob.get(jobId));
  }

  /** Forgets the job (after its terminal event). */
  public synchronized void forget(String jobId) {
    byJob.remove(jobId);
  }

  /** Jobs remembered. */
  public synchronized int size() {
    return byJob.size();
  }
}
