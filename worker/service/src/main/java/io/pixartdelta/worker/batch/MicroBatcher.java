package io.pixartdelta.worker.batch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Groups items by {@link BatchKey} into batches.
 *
 * <p>A key's items form a batch when there are {@link BatchPolicy#maxBatchSize()} of them or when
 * the oldest has waited {@link BatchPolicy#maxWait()}. If several keys are ready, the one whose
 * oldest item arrived first goes first (so no key starves). Within a key, higher priority goes
 * first, then arrival order. An item whose deadline has passed is never put in a batch: it is
 * handed back by {@link #takeExpired()}.
 *
 * <p>Thread-safe. All decisions use the injected clock; only {@link #awaitChange(Duration)} waits
 * in real time.
 *
 * @param <T> item type
 */
public final class MicroBatcher<T> {
  private static final Comparator<Queued<?>> BATCH_ORDER =
      Comparator.<Queued<?>>comparingInt(Queued::priority)
          .reversed()
          .thenComparingLong(Queued::sequence);

  private final BatchPolicy policy;
  private final Clock clock;

  /** Per key, items in arrival order. */
  private final Map<BatchKey, List<Queued<T>>> queues = new LinkedHashMap<>();

  private final List<Queued<T>> expired = new ArrayList<>();
  private long nextSequence;
  private int size;

  public MicroBatcher(BatchPolicy policy, Clock clock) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Queues an item.
   *
   * @param deadline instant after which it must not be rendered, or null
   * @return the queue entry
   */
  public synchronized Queued<T> add(T item, BatchKey key, int priority, Instant deadline) {
    Queued<T> queued = new Queued<>(item, key, priority, deadline, clock.instant(), nextSequence++);
    queues.computeIfAbsent(key, k -> new ArrayList<>()).add(queued);
    size++;
    notifyAll();
    return queued;
  }

  /** Removes and returns every item whose deadline has passed, in arrival order. */
  public synchronized List<Queued<T>> takeExpired() {
    moveExpired(clock.instant());
    List<Queued<T>> taken = new ArrayList<>(expired);
    taken.sort(Comparator.comparingLong(Queued::sequence));
    expired.clear();
    size -= taken.size();
    return taken;
  }

  /** Takes the next ready batch (full, or its oldest item waited long enough), if any. */
  public synchronized Optional<Batch<T>> pollReady() {
    Instant now = clock.instant();
    moveExpired(now);
    BatchKey best = null;
    Batch.Reason reason = null;
    long bestOldest = Long.MAX_VALUE;
    for (Map.Entry<BatchKey, List<Queued<T>>> entry : queues.entrySet()) {
      List<Queued<T>> items = entry.getValue();
      Queued<T> oldest = items.get(0);
      boolean full = items.size() >= policy.maxBatchSize(entry.getKey());
      boolean waited = oldest.waitedAt(now).compareTo(policy.maxWait()) >= 0;
      if ((full || waited) && oldest.sequence() < bestOldest) {
        best = entry.getKey();
        bestOldest = oldest.sequence();
        reason = full ? Batch.Reason.FULL : Batch.Reason.WAITED;
      }
    }
    return best == null ? Optional.empty() : Optional.of(take(best, reason, now));
  }

  /**
   * Takes a batch of the key whose oldest item arrived first, ready or not (used to drain the queue
   * on shutdown).
   */
  public synchronized Optional<Batch<T>> pollAny() {
    Instant now = clock.instant();
    moveExpired(now);
    BatchKey best = null;
    long bestOldest = Long.MAX_VALUE;
    for (Map.Entry<BatchKey, List<Queued<T>>> entry : queues.entrySet()) {
      long oldest = entry.getValue().get(0).sequence();
      if (oldest < bestOldest) {
        best = entry.getKey();
        bestOldest = oldest;
      }
    }
    return best == null ? Optional.empty() : Optional.of(take(best, Batch.Reason.FLUSHED, now));
  }

  /**
   * The earliest instant at which {@link #pollReady()} or {@link #takeExpired()} may return
   * something new without another {@link #add}: the oldest item's max-wait expiry or the nearest
   * deadline. Empty when nothing is queued.
   */
  public synchronized Optional<Instant> nextWakeUp() {
    Instant earliest = null;
    for (Map.Entry<BatchKey, List<Queued<T>>> entry : queues.entrySet()) {
      List<Queued<T>> items = entry.getValue();
      Instant ready =
          items.size() >= policy.maxBatchSize(entry.getKey())
              ? Instant.MIN
              : items.get(0).enqueuedAt().plus(policy.maxWait());
      earliest = min(earliest, ready);
      for (Queued<T> queued : items) {
        earliest = min(earliest, queued.deadline());
      }
    }
    if (!expired.isEmpty()) {
      earliest = Instant.MIN;
    }
    return Optional.ofNullable(earliest);
  }

  /** Removes every queued item whose item matches (e.g. jobs of revoked partitions). */
  public synchronized List<Queued<T>> removeIf(Predicate<? super T> filter) {
    List<Queued<T>> removed = new ArrayList<>();
    Iterator<List<Queued<T>>> keys = queues.values().iterator();
    while (keys.hasNext()) {
      List<Queued<T>> items = keys.next();
      items.removeIf(
          q -> {
            if (filter.test(q.item())) {
              removed.add(q);
              return true;
            }
            return false;
          });
      if (items.isEmpty()) {
        keys.remove();
      }
    }
    expired.removeIf(
        q -> {
          if (filter.test(q.item())) {
            removed.add(q);
            return true;
          }
          return false;
        });
    size -= removed.size();
    return removed;
  }

  /** When the longest-waiting queued item was added; empty if none is queued. */
  public synchronized Optional<Instant> oldestEnqueuedAt() {
    Instant oldest = null;
    for (List<Queued<T>> items : queues.values()) {
      for (Queued<T> queued : items) {
        if (oldest == null || queued.enqueuedAt().isBefore(oldest)) {
          oldest = queued.enqueuedAt();
        }
      }
    }
    return Optional.ofNullable(oldest);
  }

  /** Number of items queued (including expired ones not yet taken). */
  public synchronized int size() {
    return size;
  }

  /**
   * Waits in real time until an item is added, {@link #wakeUp()} is called or {@code max} elapses.
   */
  @SuppressWarnings("WaitNotInLoop") // a hint, not a condition: callers re-check their state
  public synchronized void awaitChange(Duration max) throws InterruptedException {
    long millis = Math.max(1, max.toMillis());
    wait(millis);
  }

  /** Wakes every thread in {@link #awaitChange(Duration)}. */
  public synchronized void wakeUp() {
    notifyAll();
  }

  private Batch<T> take(BatchKey key, Batch.Reason reason, Instant now) {
    List<Queued<T>> items = queues.get(key);
    List<Queued<T>> ordered = new ArrayList<>(items);
    ordered.sort(BATCH_ORDER);
    List<Queued<T>> chosen = ordered.subList(0, Math.min(policy.maxBatchSize(key), ordered.size()));
    List<Queued<T>> batch = List.copyOf(chosen);
    items.removeAll(batch);
    if (items.isEmpty()) {
      queues.remove(key);
    }
    size -= batch.size();
    return new Batch<>(key, batch, reason, now);
  }

  private void moveExpired(Instant now) {
    Iterator<List<Queued<T>>> keys = queues.values().iterator();
    while (keys.hasNext()) {
      List<Queued<T>> items = keys.next();
      items.removeIf(
          q -> {
            if (q.expiredAt(now)) {
              expired.add(q);
              return true;
            }
            return false;
          });
      if (items.isEmpty()) {
        keys.remove();
      }
    }
  }

  private static Instant min(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isBefore(b) ? a : b;
  }
}
