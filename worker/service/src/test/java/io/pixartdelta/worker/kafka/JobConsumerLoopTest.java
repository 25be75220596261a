package io.pixartdelta.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer loop's own logic (pausing, commit positions, rebalances, drain) on Kafka's {@link
 * MockConsumer}; the end-to-end suite runs it on a real broker.
 */
class JobConsumerLoopTest {
  private static final String TOPIC = "jobs";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
  private static final TopicPartition P2 = new TopicPartition(TOPIC, 2);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final RecordingIntake intake = new RecordingIntake();
  private JobConsumerLoop loop;
  private Thread thread;

  /** Holds every accepted record until the test completes it. */
  private static final class RecordingIntake implements JobIntake {
    final Map<Long, Runnable> waiting = new ConcurrentHashMap<>();
    final List<Long> accepted = new CopyOnWriteArrayList<>();
    final List<Collection<TopicPartition>> abandoned = new CopyOnWriteArrayList<>();
    final AtomicBoolean draining = new AtomicBoolean();
    final AtomicInteger pending = new AtomicInteger();

    @Override
    public void accept(ConsumerRecord<byte[], byte[]> record, Runnable onDone) {
      long id = record.partition() * 1000L + record.offset();
      accepted.add(id);
      pending.incrementAndGet();
      waiting.put(
          id,
          () -> {
            pending.decrementAndGet();
            onDone.run();
          });
    }

    void complete(TopicPartition partition, long offset) {
      waiting.remove(partition.partition() * 1000L + offset).run();
    }

    @Override
    public int pending() {
      return pending.get();
    }

    @Override
    public void abandon(Collection<TopicPartition> partitions) {
      abandoned.add(List.copyOf(partitions));
    }

    @Override
    public void startDrain() {
      draining.set(true);
    }
  }

  private void start(int maxPending, Set<TopicPartition> assignment) {
    Map<TopicPartition, Long> beginning = new HashMap<>();
    for (TopicPartition p : List.of(P0, P1, P2)) {
      beginning.put(p, 0L);
    }
    consumer.updateBeginningOffsets(beginning);
    consumer.schedulePollTask(() -> consumer.rebalance(assignment));
    loop =
        new JobConsumerLoop(
            consumer, TOPIC, intake, maxPending, Duration.ofMillis(5), Duration.ofSeconds(5));
    thread = new Thread(loop, "test-consumer");
    thread.start();
    awaitTrue(() -> loop.assignment().equals(assignment));
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (loop != null) {
      intake.waiting.values().forEach(Runnable::run);
      loop.shutdown();
      thread.join(10_000);
    }
  }

  private void addRecords(TopicPartition partition, long from, long to) {
    consumer.schedulePollTask(
        () -> {
          for (long offset = from; offset < to; offset++) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    TOPIC, partition.partition(), offset, new byte[0], new byte[0]));
          }
        });
  }

  @Test
  void commitsOnlyTheCompletedPrefixOfEachPartition() {
    start(100, Set.of(P0, P1));
    addRecords(P0, 0, 3);
    addRecords(P1, 0, 1);
    awaitTrue(() -> intake.accepted.size() == 4);

    intake.complete(P0, 2);
    intake.complete(P0, 1);
    intake.complete(P1, 0);
    awaitTrue(() -> committedOffset(P1) == 1);
    assertThat(committedOffset(P0)).isEqualTo(-1);

    intake.complete(P0, 0);
    awaitTrue(() -> committedOffset(P0) == 3);
  }

  @Test
  void pausesEveryPartitionWhenTheBacklogIsFullAndResumesAtHalf() {
    start(4, Set.of(P0, P1));
    addRecords(P0, 0, 4);
    awaitTrue(() -> pausedPartitions().equals(Set.of(P0, P1)));

    intake.complete(P0, 0);
    assertThat(pausedPartitions()).isEqualTo(Set.of(P0, P1)); // 3 pending > 2
    intake.complete(P0, 1);
    awaitTrue(() -> pausedPartitions().isEmpty());
  }

  @Test
  void pausesAreReappliedToPartitionsAssignedLater() {
    start(2, Set.of(P0));
    addRecords(P0, 0, 2);
    awaitTrue(() -> pausedPartitions().equals(Set.of(P0)));

    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0, P2)));
    awaitTrue(() -> loop.assignment().equals(Set.of(P0, P2)));

    awaitTrue(() -> pausedPartitions().equals(Set.of(P0, P2)));
  }

  @Test
  void revokedPartitionsAreForgottenAndTheirJobsAbandoned() throws InterruptedException {
    start(100, Set.of(P0, P1));
    addRecords(P1, 0, 2);
    awaitTrue(() -> intake.accepted.size() == 2);
    intake.complete(P1, 0);
    awaitTrue(() -> committedOffset(P1) == 1);

    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
    awaitTrue(() -> !intake.abandoned.isEmpty());

    assertThat(intake.abandoned.get(0)).containsExactly(P1);
    long commits = loop.commits();
    intake.complete(P1, 1); // a late completion of a lost partition commits nothing
    awaitFullIteration();
    assertThat(loop.commits()).isEqualTo(commits);
  }

  @Test
  void shutdownDrainsInFlightJobsCommitsAndCloses() throws InterruptedException {
    start(100, Set.of(P0));
    addRecords(P0, 0, 2);
    awaitTrue(() -> intake.accepted.size() == 2);

    loop.shutdown();
    awaitTrue(() -> loop.state() == WorkerState.DRAINING);
    assertThat(intake.draining.get()).isTrue();
    assertThat(pausedPartitions()).containsExactly(P0);

    intake.complete(P0, 0);
    intake.complete(P0, 1);
    assertThat(loop.awaitClosed(Duration.ofSeconds(10))).isTrue();
    assertThat(loop.state()).isEqualTo(WorkerState.CLOSED);
    assertThat(consumer.closed()).isTrue();
    assertThat(loop.failure()).isNull();
  }

  @Test
  void recordsArrivingWhileDrainingAreNotTaken() throws InterruptedException {
    start(100, Set.of(P0));
    addRecords(P0, 0, 1);
    awaitTrue(() -> intake.accepted.size() == 1);
    loop.shutdown();
    awaitTrue(() -> loop.state() == WorkerState.DRAINING);

    addRecords(P0, 1, 3);
    awaitFullIteration(); // the poll that adds the records, then one that could return them
    assertThat(intake.accepted).containsExactly(0L);
    intake.complete(P0, 0);
    assertThat(loop.awaitClosed(Duration.ofSeconds(10))).isTrue();
  }

  private long committedOffset(TopicPartition partition) {
    List<Long> result = new ArrayList<>();
    if (consumer.closed()) {
      return -2;
    }
    consumer.schedulePollTask(
        () -> {
          OffsetAndMetadata committed = consumer.committed(Set.of(partition)).get(partition);
          result.add(committed == null ? -1 : committed.offset());
        });
    awaitTrue(() -> !result.isEmpty());
    return result.get(0);
  }

  /**
   * Returns after the loop has polled twice from now: the iteration of the first poll (records
   * handed over, commit) has run in full.
   */
  private void awaitFullIteration() {
    for (int i = 0; i < 2; i++) {
      AtomicBoolean polled = new AtomicBoolean();
      consumer.schedulePollTask(() -> polled.set(true));
      awaitTrue(polled::get);
    }
  }

  private Set<TopicPartition> pausedPartitions() {
    List<Set<TopicPartition>> result = new ArrayList<>();
    consumer.schedulePollTask(() -> result.add(Set.copyOf(consumer.paused())));
    awaitTrue(() -> !result.isEmpty());
    return result.get(0);
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
