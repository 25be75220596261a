package io.pixartdelta.worker.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed, per partition, when records complete out of order.
 *
 * <p>Every consumed record is {@link #track tracked} and later {@link #complete completed} (its
 * images are in S3 and its terminal status is acknowledged). The committable position of a
 * partition is one past the last offset of its longest fully completed prefix: an unfinished record
 * holds back every later one, so a crash replays it and what follows (duplicates, never loss).
 *
 * <p>When a partition is revoked or lost its tracking is {@link #forget dropped}; a completion that
 * arrives afterwards carries an old generation in its {@link Ticket} and is ignored, even if the
 * partition has come back meanwhile.
 *
 * <p>Thread-safe: the consumer thread tracks and commits, render threads complete.
 */
public final class OffsetTracker {

  /**
   * Proof that a record was tracked; pass it back to {@link #complete}.
   *
   * @param partition the record's partition
   * @param offset the record's offset
   * @param generation the partition's tracking generation when the record was tracked
   */
  public record Ticket(TopicPartition partition, long offset, long generation) {}

  private static final class PartitionState {
    final long generation;

    /** Tracked offsets not yet released into the committable prefix → completed? */
    final TreeMap<Long, Boolean> pending = new TreeMap<>();

    long committable = -1;
    long requested = -1;

    PartitionState(long generation) {
      this.generation = generation;
    }
  }

  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private long nextGeneration;

  /**
   * Starts tracking a record.
   *
   * @throws IllegalArgumentException if the offset is not above every offset tracked before for
   *     this partition
   */
  public synchronized Ticket track(TopicPartition partition, long offset) {
    PartitionState state =
        partitions.computeIfAbsent(partition, p -> new PartitionState(nextGeneration++));
    long highest =
        Math.max(state.pending.isEmpty() ? -1 : state.pending.lastKey(), state.committable - 1);
    if (offset <= highest) {
      throw new IllegalArgumentException(
          partition + ": offset " + offset + " is not above the last tracked " + highest);
    }
    state.pending.put(offset, false);
    return new Ticket(partition, offset, state.generation);
  }

  /**
   * Marks a record done. Ignored if its partition was forgotten since it was tracked.
   *
   * @return true if the completion was recorded
   */
  public synchronized boolean complete(Ticket ticket) {
    PartitionState state = partitions.get(ticket.partition());
    if (state == null
        || state.generation != ticket.generation()
        || !state.pending.containsKey(ticket.offset())) {
      return false;
    }
    state.pending.put(ticket.offset(), true);
    while (!state.pending.isEmpty() && state.pending.firstEntry().getValue()) {
      state.committable = state.pending.pollFirstEntry().getKey() + 1;
    }
    return true;
  }

  /**
   * Returns the positions to commit for partitions that advanced since the last call, and remembers
   * them as requested. After a failed commit call {@link #commitFailed} so they are offered again.
   */
  public synchronized Map<TopicPartition, OffsetAndMetadata> takeCommittable() {
    Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
    for (Map.Entry<TopicPartition, PartitionState> entry : partitions.entrySet()) {
      PartitionState state = entry.getValue();
      if (state.committable > state.requested) {
        result.put(entry.getKey(), new OffsetAndMetadata(state.committable));
        state.requested = state.committable;
      }
    }
    return result;
  }

  /** Offers the positions of a failed commit again on the next {@link #takeCommittable()}. */
  public synchronized void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : offsets.entrySet()) {
      PartitionState state = partitions.get(entry.getKey());
      if (state != null && state.requested <= entry.getValue().offset()) {
        state.requested = -1;
      }
    }
  }

  /** Drops tracking of revoked or lost partitions; their in-flight completions are ignored. */
  public synchronized void forget(Collection<TopicPartition> lost) {
    for (TopicPartition partition : lost) {
      partitions.remove(partition);
    }
  }

  /** True if {@code ticket}'s partition is still tracked in the ticket's generation. */
  public synchronized boolean isCurrent(Ticket ticket) {
    PartitionState state = partitions.get(ticket.partition());
    return state != null && state.generation == ticket.generation();
  }

  /** Records tracked but not yet released into a committable prefix, over all partitions. */
  public synchronized int inFlight() {
    int count = 0;
    for (PartitionState state : partitions.values()) {
      count += state.pending.size();
    }
    return count;
  }

  /** Tracked but not yet completed records of one partition. */
  public synchronized int inFlight(TopicPartition partition) {
    PartitionState state = partitions.get(partition);
    return state == null ? 0 : state.pending.size();
  }
}
