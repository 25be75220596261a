package io.pixartdelta.producer;

import io.pixartdelta.schemas.InvalidMessageException;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.StatusEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's one status consumer: a thread that owns a group-less consumer assigned to every
 * partition of the status topic and feeds each event to the {@link StatusTracker}.
 *
 * <p>Start-up: seek to the end of the status topic, or with a look-back to the first event newer
 * than {@code now - lookBack}, so a restarted client finds terminal events of jobs it submitted
 * before. With a look-back it also reads the keys of the jobs topic over the same window, so a job
 * id already sent is not sent again. {@link #ready()} completes once both topics were read up to
 * their end offsets at start-up; the client sends nothing before that.
 *
 * <p>Partitions added to the status topic later are picked up from their beginning.
 */
final class StatusFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);

  private final Consumer<byte[], byte[]> consumer;
  private final KafkaSettings kafka;
  private final Duration lookBack;
  private final Clock clock;
  private final StatusTracker tracker;
  private final JsonCodec codec;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicLong undecodable = new AtomicLong();
  private final Thread thread;

  StatusFollower(
      Consumer<byte[], byte[]> consumer,
      KafkaSettings kafka,
      Duration lookBack,
      Clock clock,
      StatusTracker tracker,
      JsonCodec codec) {
    this.consumer = consumer;
    this.kafka = kafka;
    this.lookBack = lookBack;
    this.clock = clock;
    this.tracker = tracker;
    this.codec = codec;
    this.thread = new Thread(this::run, kafka.clientId() + "-status");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Completes when the consumer is positioned and caught up; fails if Kafka is unreachable. */
  CompletableFuture<Void> ready() {
    return ready;
  }

  /** Status records that could not be decoded (skipped). */
  long undecodable() {
    return undecodable.get();
  }

  private void run() {
    try {
      List<TopicPartition> statusPartitions =
          TopicPositions.partitionsOf(consumer, kafka.statusTopic(), kafka.connectTimeout());
      List<TopicPartition> jobPartitions =
          lookBack.isZero()
              ? List.of()
              : TopicPositions.partitionsOf(consumer, kafka.jobsTopic(), kafka.connectTimeout());
      List<TopicPartition> all = new ArrayList<>(statusPartitions);
      all.addAll(jobPartitions);
      consumer.assign(all);
      Instant since = lookBack.isZero() ? null : clock.instant().minus(lookBack);
      Map<TopicPartition, Long> end =
          TopicPositions.seek(consumer, all, since, kafka.connectTimeout());
      while (!TopicPositions.reached(consumer, end)) {
        dispatch(consumer.poll(POLL));
      }
      if (!jobPartitions.isEmpty()) {
        // The jobs topic was only needed for the look-back: keep following statuses alone.
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition tp : statusPartitions) {
          positions.put(tp, consumer.position(tp));
        }
        consumer.assign(statusPartitions);
        positions.forEach(consumer::seek);
      }
      ready.complete(null);
      LOG.debug("status consumer ready on {} partitions", statusPartitions.size());
      follow(new HashSet<>(statusPartitions));
    } catch (WakeupException e) {
      if (!closing.get()) {
        fail(new InfrastructureException("status consumer woken up unexpectedly", e));
      }
    } catch (InfrastructureException e) {
      fail(e);
    } catch (RuntimeException e) {
      if (!closing.get()) {
        fail(new InfrastructureException("status consumer stopped: " + e, e));
      }
    } finally {
      ready.completeExceptionally(new InfrastructureException("status consumer closed"));
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.debug("error closing the status consumer", e);
      }
    }
  }

  private void follow(Set<TopicPartition> assigned) {
    long nextRefresh = System.nanoTime() + PARTITION_REFRESH.toNanos();
    while (!closing.get()) {
      dispatch(consumer.poll(POLL));
      if (System.nanoTime() >= nextRefresh) {
        nextRefresh = System.nanoTime() + PARTITION_REFRESH.toNanos();
        refreshPartitions(assigned);
      }
    }
  }

  private void refreshPartitions(Set<TopicPartition> assigned) {
    List<TopicPartition> now;
    try {
      now = TopicPositions.partitionsOf(consumer, kafka.statusTopic(), POLL);
    } catch (InfrastructureException e) {
      return; // transient metadata trouble: keep the current assignment
    }
    List<TopicPartition> added = new ArrayList<>();
    for (TopicPartition tp : now) {
      if (!assigned.contains(tp)) {
        added.add(tp);
      }
    }
    if (added.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> positions = new HashMap<>();
    for (TopicPartition tp : assigned) {
      positions.put(tp, consumer.position(tp));
    }
    assigned.addAll(added);
    consumer.assign(assigned);
    positions.forEach(consumer::seek);
    // A partition created after start-up holds only events we must not miss: read it all.
    consumer.seekToBeginning(added);
    LOG.info("status topic grew: now following {} partitions", assigned.size());
  }

  private void dispatch(ConsumerRecords<byte[], byte[]> records) {
    for (ConsumerRecord<byte[], byte[]> record : records) {
      if (record.topic().equals(kafka.jobsTopic())) {
        if (record.key() != null) {
          tracker.markSubmitted(new String(record.key(), StandardCharsets.UTF_8));
        }
        continue;
      }
      if (record.value() == null) {
        continue;
      }
      StatusEvent event;
      try {
        event = codec.decodeStatus(record.value());
      } catch (InvalidMessageException e) {
        undecodable.incrementAndGet();
        LOG.debug(
            "skipping undecodable status record {}-{}@{}: {}",
            record.topic(),
            record.partition(),
            record.offset(),
            e.getMessage());
        continue;
      }
      tracker.accept(event);
    }
  }

  private void fail(InfrastructureException e) {
    LOG.warn("status consumer failed: {}", e.getMessage());
    ready.completeExceptionally(e);
    tracker.failAll(e);
  }

  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      consumer.wakeup();
      if (Thread.currentThread() != thread) {
        try {
          thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
