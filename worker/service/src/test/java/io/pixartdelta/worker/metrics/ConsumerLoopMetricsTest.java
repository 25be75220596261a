package io.pixartdelta.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pixartdelta.worker.kafka.JobConsumerLoop;
import io.pixartdelta.worker.kafka.JobIntake;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer-loop meters follow the loop on a {@link MockConsumer}: counts, assignment, pauses.
 */
class ConsumerLoopMetricsTest {
  private static final String TOPIC = "jobs";
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final Queue<Runnable> held = new ConcurrentLinkedQueue<>();
  private JobConsumerLoop loop;
  private Thread thread;

  /** Holds every record until the test releases it. */
  private final JobIntake intake =
      new JobIntake() {
        @Override
        public void accept(ConsumerRecord<byte[], byte[]> record, Runnable onDone) {
          held.add(onDone);
        }

        @Override
        public int pending() {
          return held.size();
        }

        @Override
        public void abandon(Collection<TopicPartition> partitions) {}

        @Override
        public void startDrain() {}
      };

  @AfterEach
  void stop() throws InterruptedException {
    releaseAll();
    loop.shutdown();
    thread.join(10_000);
  }

  @Test
  void receivedCommitsAssignmentAndPausesFollowTheLoop() {
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0, P1)));
    loop =
        new JobConsumerLoop(
            consumer, TOPIC, intake, 2, Duration.ofMillis(5), Duration.ofSeconds(5));
    new WorkerMetrics(registry).bindConsumerLoop(loop);
    thread = new Thread(loop, "test-consumer");
    thread.start();
    awaitTrue(() -> loop.assignment().equals(Set.of(P0, P1)));
    assertThat(gauge(WorkerMetrics.PARTITIONS_ASSIGNED)).isEqualTo(2);
    assertThat(gauge(WorkerMetrics.PARTITIONS_PAUSED)).isZero();

    consumer.schedulePollTask(
        () -> {
          for (long offset = 0; offset < 3; offset++) {
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, new byte[0], new byte[0]));
          }
        });
    // Three held records >= 2: every assigned partition is paused.
    awaitTrue(() -> gauge(WorkerMetrics.PARTITIONS_PAUSED) == 2);
    assertThat(registry.get(WorkerMetrics.JOBS_RECEIVED).functionCounter().count()).isEqualTo(3);

    releaseAll();
    awaitTrue(() -> gauge(WorkerMetrics.PARTITIONS_PAUSED) == 0);
    awaitTrue(() -> registry.get(WorkerMetrics.KAFKA_COMMITS).functionCounter().count() >= 1);
    assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).isEqualTo(3);
  }

  private void releaseAll() {
    Runnable done;
    while ((done = held.poll()) != null) {
      done.run();
    }
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
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
