package io.pixartdelta.worker.render;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the memory of the decoded control images held by jobs between planning and completion
 * (queued, rendering, uploading). A job reserves its image's bytes, from the header, before it is
 * decoded; when the budget is spent, planning waits until earlier jobs finish, so the backlog (and
 * the consumer's pause) grows instead of the heap. Thread-safe.
 */
public final class ControlImageBudget {
  private final long capacity;
  private long used; // guarded by this

  /**
   * @param capacity bytes of decoded images held at once
   */
  public ControlImageBudget(long capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Nothing reserved: for jobs without a control image. */
  public static final Lease NONE = new Lease(null, 0);

  /**
   * Reserves {@code bytes}, waiting until they are free.
   *
   * @throws IllegalArgumentException if {@code bytes} exceeds the whole budget (it could never be
   *     granted)
   * @throws InterruptedException if interrupted while waiting (the service is stopping)
   */
  public Lease reserve(long bytes) throws InterruptedException {
    if (bytes < 0 || bytes > capacity) {
      throw new IllegalArgumentException(
          "needs " + bytes + " bytes, more than the whole budget of " + capacity);
    }
    synchronized (this) {
      while (used + bytes > capacity) {
        wait();
      }
      used += bytes;
    }
    return new Lease(this, bytes);
  }

  /** Bytes reserved now. */
  public synchronized long used() {
    return used;
  }

  /** The budget's size in bytes. */
  public long capacity() {
    return capacity;
  }

  private synchronized void free(long bytes) {
    used -= bytes;
    notifyAll();
  }

  /** One job's reservation; {@link #release()} may be called any number of times. */
  public static final class Lease {
    private final ControlImageBudget budget;
    private final long bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(ControlImageBudget budget, long bytes) {
      this.budget = budget;
      this.bytes = bytes;
    }

    /** Returns the bytes to the budget (once). */
    public void release() {
      if (budget != null && released.compareAndSet(false, true)) {
        budget.free(bytes);
      }
    }
  }
}
