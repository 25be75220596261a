package io.pixartdelta.producer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.producer.StatusTopicReader;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.StatusEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code watch --since}: history from several partitions comes out in event-time order. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(EmbeddedStackExtension.class)
class StatusTopicReaderIntegrationTest {

  @Test
  void historyAcrossPartitionsIsHandedOutInEventTimeOrder(EmbeddedStack stack) throws Exception {
    Instant t0 = Instant.now().minusSeconds(30);
    String run = "order-" + System.nanoTime();
    // Partition 2 holds the 1st and 4th event, partition 0 the 2nd and 5th, partition 1 the 3rd
    // and 6th: read partition by partition they would come out grouped.
    int[][] partitionAndSecond = {{2, 1}, {2, 4}, {0, 2}, {0, 5}, {1, 3}, {1, 6}};
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
      for (int[] ps : partitionAndSecond) {
        Instant at = t0.plusSeconds(ps[1]);
        StatusEvent event =
            StatusEvent.builder(run + "-" + ps[1], JobState.ACCEPTED)
                .workerId("w1")
                .eventTime(at)
                .build();
        producer
            .send(
                new ProducerRecord<>(
                    EmbeddedStack.STATUS,
                    ps[0],
                    event.jobId().getBytes(StandardCharsets.UTF_8),
                    JsonCodec.shared().encode(event)))
            .get(30, TimeUnit.SECONDS);
      }
    }

    List<String> seen = new CopyOnWriteArrayList<>();
    try (StatusTopicReader reader = new StatusTopicReader(stack.kafkaSettings())) {
      reader.follow(
          Instant.now().minus(Duration.ofMinutes(5)),
          Duration.ofSeconds(5),
          event -> {
            if (event.jobId().startsWith(run)) {
              seen.add(event.jobId());
            }
            return seen.size() < partitionAndSecond.length;
          });
    }
    assertThat(seen)
        .containsExactly(run + "-1", run + "-2", run + "-3", run + "-4", run + "-5", run + "-6");
  }
}
