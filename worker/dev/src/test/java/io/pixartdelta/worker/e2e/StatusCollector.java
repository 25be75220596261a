package io.pixartdelta.worker.e2e;

import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from the beginning (no consumer group) and keeps what it saw. */
final class StatusCollector implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
  private final List<StatusEvent> events = new ArrayList<>();
  private final boolean decodeStatus;

  private StatusCollector(String bootstrapServers, String topic, boolean decodeStatus) {
    this.decodeStatus = decodeStatus;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "false"));
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Collects status events (decoded with the shared codec, so each one is schema-valid). */
  static StatusCollector statuses(String bootstrapServers, String topic) {
    return new StatusCollector(bootstrapServers, topic, true);
  }

  /** Collects raw records. */
  static StatusCollector raw(String bootstrapServers, String topic) {
    return new StatusCollector(bootstrapServers, topic, false);
  }

  /** Polls for {@code duration} and returns everything seen so far. */
  List<StatusEvent> pollFor(Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      pollOnce();
    }
    return List.copyOf(events);
  }

  /** Polls until {@code done} holds for the events seen, or fails after {@code timeout}. */
  List<StatusEvent> awaitEvents(Predicate<List<StatusEvent>> done, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!done.test(events)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out; events seen: " + summary());
      }
      pollOnce();
    }
    return List.copyOf(events);
  }

  /** Polls until every job has a terminal event; returns the first terminal event per job. */
  Map<String, StatusEvent> awaitTerminal(Collection<String> jobIds, Duration timeout) {
    awaitEvents(seen -> terminals(seen).keySet().containsAll(jobIds), timeout);
    return terminals(events);
  }

  /** Polls until at least {@code count} raw records arrived. */
  List<ConsumerRecord<byte[], byte[]>> awaitRecords(int count, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (records.size() < count) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out with " + records.size() + " of " + count + " records");
      }
      pollOnce();
    }
    return List.copyOf(records);
  }

  private static Map<String, StatusEvent> terminals(List<StatusEvent> events) {
    Map<String, StatusEvent> result = new HashMap<>();
    for (StatusEvent event : events) {
      if (event.state().isTerminal()) {
        result.putIfAbsent(event.jobId(), event);
      }
    }
    return result;
  }

  private void pollOnce() {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
      records.add(record);
      if (decodeStatus) {
        events.add(JsonCodec.shared().decodeStatus(record.value()));
      }
    }
  }

  private String summary() {
    Map<String, Integer> counts = new HashMap<>();
    for (StatusEvent event : events) {
      counts.merge(event.state().name(), 1, Integer::sum);
    }
    return counts.toString();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
