package io.pixartdelta.producer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/** Partition discovery and explicit seeking for group-less, manually assigned consumers. */
final class TopicPositions {
  private TopicPositions() {}

  /**
   * All partitions of a topic, waiting up to {@code timeout} for the broker and the topic.
   *
   * @throws InfrastructureException when the broker cannot be reached or the topic does not exist
   */
  static List<TopicPartition> partitionsOf(
      Consumer<?, ?> consumer, String topic, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      try {
        // Short attempts: a missing topic makes partitionsFor wait for the whole timeout.
        List<PartitionInfo> infos =
            consumer.partitionsFor(
                topic, Duration.ofNanos(Math.max(Math.min(left, 1_000_000_000L), 1_000_000)));
        if (infos != null && !infos.isEmpty()) {
          List<TopicPartition> partitions = new ArrayList<>();
          for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
          }
          partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
          return partitions;
        }
      } catch (InterruptException | WakeupException e) {
        throw e;
      } catch (KafkaException e) {
        // Broker unreachable or topic unknown so far: retry until the deadline, then diagnose.
      }
      if (System.nanoTime() >= deadline) {
        throw new InfrastructureException(
            "cannot read topic '"
                + topic
                + "' within "
                + timeout
                + ": "
                + diagnose(consumer, topic));
      }
      sleepQuietly(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
    }
  }

  /** Tells "broker unreachable" from "topic missing" with one metadata request. */
  private static String diagnose(Consumer<?, ?> consumer, String topic) {
    try {
      Map<String, List<PartitionInfo>> topics = consumer.listTopics(Duration.ofSeconds(2));
      return topics.containsKey(topic)
          ? "topic has no partition metadata yet"
          : "topic does not exist (create it, or check --jobs-topic/--status-topic)";
    } catch (InterruptException | WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      return "broker unreachable or not answering (" + e.getMessage() + ")";
    }
  }

  /**
   * Seeks every partition to the first record at or after {@code since}, or to its end when {@code
   * since} is null or newer than every record. Positions are resolved eagerly so that no record
   * published after this call can be skipped.
   *
   * @return the end offsets at the time of the call: reading up to them means "caught up"
   */
  static Map<TopicPartition, Long> seek(
      Consumer<?, ?> consumer,
      Collection<TopicPartition> partitions,
      Instant since,
      Duration timeout) {
    try {
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
      Map<TopicPartition, OffsetAndTimestamp> found = Map.of();
      if (since != null) {
        Map<TopicPartition, Long> query = new HashMap<>();
        for (TopicPartition tp : partitions) {
          query.put(tp, since.toEpochMilli());
        }
        found = consumer.offsetsForTimes(query, timeout);
      }
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp at = found.get(tp);
        consumer.seek(tp, at != null ? at.offset() : end.getOrDefault(tp, 0L));
      }
      return end;
    } catch (InterruptException | WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      throw new InfrastructureException("cannot position on " + partitions + ": " + e, e);
    }
  }

  /** Whether the consumer's position reached {@code end} on every partition in the map. */
  static boolean reached(Consumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }
}
