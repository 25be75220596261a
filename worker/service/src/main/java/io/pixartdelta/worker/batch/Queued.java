package io.pixartdelta.worker.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An item waiting in the {@link MicroBatcher}.
 *
 * @param item the caller's item
 * @param key its batch key
 * @param priority higher is taken first within a key
 * @param deadline after this instant the item is expired and never rendered; null for none
 * @param enqueuedAt when it was added
 * @param sequence arrival order, breaks priority ties
 * @param <T> item type
 */
public record Queued<T>(
    T item, BatchKey key, int priority, Instant deadline, Instant enqueuedAt, long sequence) {
  public Queued {
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(enqueuedAt, "enqueuedAt");
  }

  /** True if the deadline has passed at {@code now}. */
  public boolean expiredAt(Instant now) {
    return deadline != null && !now.isBefore(deadline);
  }

  /** How long it has waited at {@code now}. */
  public Duration waitedAt(Instant now) {
    return Duration.between(enqueuedAt, now);
  }
}
