package io.pixartdelta.worker.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the {@link Consumer}.
 *
 * <p>It polls continuously, also while jobs render, so {@code max.poll.interval.ms} is never hit by
 * long batches. When the {@link JobIntake} holds {@code maxPending} jobs it pauses every assigned
 * partition (and keeps polling); it resumes when the backlog falls to half. Pauses are re-applied
 * to partitions assigned later, because the consumer forgets them for partitions that move.
 *
 * <p>Offsets are committed from the {@link OffsetTracker}: only the completed prefix of each
 * partition (outputs stored and terminal status acknowledged). On revocation the loop commits what
 * is complete, then forgets the partitions and abandons their queued jobs; whatever was in flight
 * is redelivered to the new owner (duplicates rather than loss).
 *
 * <p>{@link #shutdown()} (e.g. from a SIGTERM hook) wakes the consumer; the loop then drains: no
 * new records, queued jobs are rendered without waiting for fuller batches, completed offsets are
 * committed, until nothing is in flight or the drain timeout passes.
 */
public final class JobConsumerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(JobConsumerLoop.class);

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final JobIntake intake;
  private final OffsetTracker tracker = new OffsetTracker();
  private final int maxPending;
  private final Duration pollTimeout;
  private final Duration drainTimeout;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicLong recordsReceived = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();

  private volatile WorkerState state = WorkerState.STARTING;
  private volatile boolean shutdownRequested;
  private volatile Set<TopicPartition> assignment = Set.of();
  private volatile Throwable failure;
  private volatile boolean paused; // volatile: also read by metrics scrapes

  /** Longest pause between polls while every partition is paused. */
  private static final Duration PAUSED_TICK = Duration.ofMillis(10);

  /**
   * @param maxPending backlog at which partitions are paused
   * @param pollTimeout longest wait in one poll
   * @param drainTimeout how long shutdown waits for in-flight jobs
   */
  public JobConsumerLoop(
      Consumer<byte[], byte[]> consumer,
      String topic,
      JobIntake intake,
      int maxPending,
      Duration pollTimeout,
      Duration drainTimeout) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.intake = Objects.requireNonNull(intake, "intake");
    if (maxPending < 1) {
      throw new IllegalArgumentException("maxPending must be >= 1, got " + maxPending);
    }
    this.maxPending = maxPending;
    this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      state = WorkerState.RUNNING;
      LOG.info("consuming {}", topic);
      long drainDeadline = Long.MAX_VALUE;
      while (true) {
        if (shutdownRequested && state == WorkerState.RUNNING) {
          drainDeadline = System.nanoTime() + drainTimeout.toNanos();
          LOG.info("draining: {} jobs in flight", tracker.inFlight());
          intake.startDrain();
          pauseAll();
          state = WorkerState.DRAINING;
        }
        if (state == WorkerState.DRAINING) {
          if (tracker.inFlight() == 0) {
            break;
          }
          if (System.nanoTime() > drainDeadline) {
            LOG.warn(
                "drain timeout: {} jobs unfinished; they will be redelivered", tracker.inFlight());
            break;
          }
        }
        pollOnce();
        commitAsync();
      }
      commitSync();
    } catch (Throwable e) {
      failure = e;
      LOG.error("consumer loop failed", e);
    } finally {
      state = WorkerState.CLOSED;
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
      } catch (RuntimeException e) {
        LOG.warn("closing the consumer failed: {}", e.toString());
      }
      assignment = Set.of();
      closed.countDown();
    }
  }

  private void pollOnce() {
    ConsumerRecords<byte[], byte[]> records;
    long started = System.nanoTime();
    boolean idle = paused || state == WorkerState.DRAINING;
    try {
      records = consumer.poll(idle ? Duration.ZERO : pollTimeout);
    } catch (WakeupException e) {
      return; // shutdown() woke us: the loop looks at the flags.
    }
    if (idle && records.isEmpty()) {
      idleWhilePaused(started);
    }
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (state != WorkerState.RUNNING) {
        break; // Not tracked, not committed: redelivered after the restart.
      }
      recordsReceived.incrementAndGet();
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      OffsetTracker.Ticket ticket = tracker.track(partition, record.offset());
      intake.accept(record, () -> tracker.complete(ticket));
    }
    if (state == WorkerState.RUNNING) {
      applyBackpressure();
    }
  }

  /**
   * With every partition paused, the KIP-848 consumer's {@code poll(timeout)} spins for the whole
   * timeout while fetched records of the paused partitions sit in its buffer (KAFKA-21084; measured
   * here: the loop thread took a fifth of the CPU the whole worker used). So while paused the loop
   * polls without waiting and sleeps out the rest of a short tick instead; resuming and committing
   * are at most one tick late.
   */
  private void idleWhilePaused(long pollStartedNanos) {
    long tick = Math.min(pollTimeout.toNanos(), PAUSED_TICK.toNanos());
    long left = pollStartedNanos + tick - System.nanoTime();
    if (left > 0) {
      LockSupport.parkNanos(left);
    }
  }

  private void applyBackpressure() {
    int pending = intake.pending();
    if (!paused && pending >= maxPending) {
      pauseAll();
      LOG.debug("paused: {} jobs pending", pending);
    } else if (paused && pending <= maxPending / 2) {
      paused = false;
      consumer.resume(consumer.assignment());
      LOG.debug("resumed: {} jobs pending", pending);
    }
  }

  private void pauseAll() {
    paused = true;
    consumer.pause(consumer.assignment());
  }

  private void commitAsync() {
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.takeCommittable();
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(
        offsets,
        (committed, error) -> {
          if (error == null) {
            commits.incrementAndGet();
          } else {
            LOG.warn("commit of {} failed: {}", committed, error.toString());
            tracker.commitFailed(offsets);
          }
        });
  }

  private void commitSync() {
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.takeCommittable();
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, Duration.ofSeconds(10));
      commits.incrementAndGet();
    } catch (WakeupException e) {
      // A late wakeup() can interrupt the final commit once; try again.
      consumer.commitSync(offsets, Duration.ofSeconds(10));
      commits.incrementAndGet();
    } catch (KafkaException e) {
      tracker.commitFailed(offsets);
      LOG.warn("commit of {} failed: {}", offsets, e.toString());
    }
  }

  /** Asks the loop to drain and stop; returns at once. Safe from any thread. */
  public void shutdown() {
    shutdownRequested = true;
    consumer.wakeup();
  }

  /** Waits until the consumer is closed; false on timeout. */
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The loop's lifecycle state. */
  public WorkerState state() {
    return state;
  }

  /** Partitions assigned right now. */
  public Set<TopicPartition> assignment() {
    return assignment;
  }

  /** Assigned partitions paused right now (back-pressure or drain). */
  public int pausedPartitions() {
    return paused ? assignment.size() : 0;
  }

  /** Records handed to the intake since start. */
  public long recordsReceived() {
    return recordsReceived.get();
  }

  /** Successful commits since start. */
  public long commits() {
    return commits.get();
  }

  /** Why the loop ended abnormally, or null. */
  public Throwable failure() {
    return failure;
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      LOG.info("partitions revoked: {}", partitions);
      try {
        commitSync();
      } catch (RuntimeException e) {
        LOG.warn("commit on revocation failed: {}", e.toString());
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      LOG.warn("partitions lost: {}", partitions);
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      assignment = Set.copyOf(consumer.assignment());
      if (partitions.isEmpty()) {
        return;
      }
      LOG.info("partitions assigned: {}", partitions);
      if (paused || state == WorkerState.DRAINING) {
        consumer.pause(partitions);
      }
    }

    private void forget(Collection<TopicPartition> partitions) {
      tracker.forget(partitions);
      intake.abandon(new ArrayList<>(partitions));
      assignment = Set.copyOf(consumer.assignment());
    }
  }
}
