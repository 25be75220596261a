package io.pixartdelta.producer;

import io.pixartdelta.schemas.InvalidMessageException;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.StatusEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads the status topic directly, for look-ups and tails (the CLI's {@code status} and {@code
 * watch}): a group-less consumer over all partitions, nothing committed. Not thread-safe, except
 * {@link #close()} which may be called from another thread to stop {@link #follow}.
 */
public final class StatusTopicReader implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaSettings kafka;
  private final Consumer<byte[], byte[]> consumer;
  private final JsonCodec codec = JsonCodec.shared();
  private final Object guard = new Object();
  private volatile boolean closed;
  private Thread reader; // the thread inside latest()/follow(), guarded by `guard`
  private boolean consumerClosed;

  public StatusTopicReader(KafkaSettings kafka) {
    this.kafka = kafka;
    try {
      this.consumer = new KafkaConsumer<>(kafka.consumerProperties("status-reader"));
    } catch (KafkaException e) {
      throw new InfrastructureException("cannot create the Kafka consumer: " + e.getMessage(), e);
    }
  }

  /**
   * The job's latest status among the events published at or after {@code since}, following {@link
   * StatusOrder} (the first terminal event wins over later duplicates and redeliveries).
   *
   * @param since oldest event time to read; {@code null} reads the whole topic
   * @throws InfrastructureException when Kafka cannot be reached
   */
  public Optional<StatusEvent> latest(String jobId, Instant since) {
    enter();
    try {
      return scanLatest(jobId, since);
    } finally {
      exit();
    }
  }

  private Optional<StatusEvent> scanLatest(String jobId, Instant since) {
    byte[] key = jobId.getBytes(StandardCharsets.UTF_8);
    List<TopicPartition> partitions =
        TopicPositions.partitionsOf(consumer, kafka.statusTopic(), kafka.connectTimeout());
    consumer.assign(partitions);
    Map<TopicPartition, Long> end =
        TopicPositions.seek(
            consumer, partitions, since == null ? Instant.EPOCH : since, kafka.connectTimeout());
    StatusEvent best = null;
    try {
      while (!closed && !TopicPositions.reached(consumer, end)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          // Keys are job ids: skip other jobs without decoding them.
          if (record.key() != null && !Arrays.equals(record.key(), key)) {
            continue;
          }
          StatusEvent event = decode(record);
          if (event != null && event.jobId().equals(jobId) && StatusOrder.supersedes(best, event)) {
            best = event;
          }
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } catch (KafkaException e) {
      throw new InfrastructureException("cannot read the status topic: " + e.getMessage(), e);
    }
    return Optional.ofNullable(best);
  }

  /**
   * Hands every status event published from {@code since} on to {@code handler} until the handler
   * returns {@code false}, {@code maxDuration} passed or {@link #close()} is called. The events
   * already published when the call starts are collected from every partition first and handed out
   * in event-time order; later ones follow as they arrive, each poll's batch in event-time order.
   * Duplicates are not filtered: this is the raw stream.
   *
   * @param since oldest event time to read; {@code null} starts at the end (new events only)
   * @param maxDuration stop after this long; {@code null} for no limit
   */
  public void follow(Instant since, Duration maxDuration, Predicate<StatusEvent> handler) {
    enter();
    try {
      tail(since, maxDuration, handler);
    } finally {
      exit();
    }
  }

  private void tail(Instant since, Duration maxDuration, Predicate<StatusEvent> handler) {
    long stopAt = maxDuration == null ? Long.MAX_VALUE : System.nanoTime() + maxDuration.toNanos();
    List<TopicPartition> partitions =
        TopicPositions.partitionsOf(consumer, kafka.statusTopic(), kafka.connectTimeout());
    consumer.assign(partitions);
    Map<TopicPartition, Long> end =
        TopicPositions.seek(consumer, partitions, since, kafka.connectTimeout());
    // Partitions are read one fetch at a time: the history is sorted as a whole before it is shown.
    List<StatusEvent> history = since == null ? null : new ArrayList<>();
    try {
      while (!closed && System.nanoTime() < stopAt) {
        List<StatusEvent> batch = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          StatusEvent event = decode(record);
          if (event != null) {
            batch.add(event);
          }
        }
        if (history != null) {
          history.addAll(batch);
          if (!TopicPositions.reached(consumer, end)) {
            continue;
          }
          batch = history;
          history = null;
        }
        if (!handInTimeOrder(batch, handler)) {
          return;
        }
      }
      if (history != null && !closed) {
        handInTimeOrder(history, handler); // stopped while catching up: show what was read
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } catch (KafkaException e) {
      throw new InfrastructureException("cannot read the status topic: " + e.getMessage(), e);
    }
  }

  /**
   * Sorts by event time (stable: partition order breaks ties); false once the handler says stop.
   */
  private static boolean handInTimeOrder(List<StatusEvent> events, Predicate<StatusEvent> handler) {
    events.sort(Comparator.comparing(StatusEvent::eventTime));
    for (StatusEvent event : events) {
      if (!handler.test(event)) {
        return false;
      }
    }
    return true;
  }

  private StatusEvent decode(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return null;
    }
    try {
      return codec.decodeStatus(record.value());
    } catch (InvalidMessageException e) {
      return null; // not ours to judge: the worker's dead-letter path handles bad producers
    }
  }

  private void enter() {
    synchronized (guard) {
      if (closed) {
        throw new IllegalStateException("StatusTopicReader is closed");
      }
      if (reader != null) {
        throw new IllegalStateException("StatusTopicReader is already reading on " + reader);
      }
      reader = Thread.currentThread();
    }
  }

  private void exit() {
    synchronized (guard) {
      reader = null;
      if (closed) {
        closeConsumer();
      }
    }
  }

  /**
   * Stops a running {@link #follow} or {@link #latest} (from any thread) and releases the consumer.
   */
  @Override
  public void close() {
    synchronized (guard) {
      closed = true;
      if (reader != null && reader != Thread.currentThread()) {
        consumer.wakeup(); // the reading thread closes the consumer on its way out
        return;
      }
      if (reader == null) {
        closeConsumer();
      }
    }
  }

  private void closeConsumer() {
    if (!consumerClosed) {
      consumerClosed = true;
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }
}
