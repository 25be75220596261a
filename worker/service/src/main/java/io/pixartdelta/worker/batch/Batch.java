package io.pixartdelta.worker.batch;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Items of one {@link BatchKey} taken together from the {@link MicroBatcher}, highest priority
 * first.
 *
 * @param key the shared key
 * @param entries the items with their queue data, not empty
 * @param reason why the batch closed
 * @param formedAt when it was taken
 * @param <T> item type
 */
public record Batch<T>(BatchKey key, List<Queued<T>> entries, Reason reason, Instant formedAt) {

  /** Why a batch closed. */
  public enum Reason {
    /** It reached the maximum batch size. */
    FULL,
    /** Its oldest item waited the maximum wait. */
    WAITED,
    /** The batcher was flushed (shutdown drain). */
    FLUSHED
  }

  public Batch {
    Objects.requireNonNull(key, "key");
    entries = List.copyOf(entries);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("entries must not be empty");
    }
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(formedAt, "formedAt");
  }

  /** The items in batch order. */
  public List<T> items() {
    return entries.stream().map(Queued::item).toList();
  }

  /** Number of items. */
  public int size() {
    return entries.size();
  }
}
