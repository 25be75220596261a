package io.pixartdelta.worker.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Builds the worker's Kafka clients with the settings its delivery guarantees depend on. */
public final class KafkaClients {
  private KafkaClients() {}

  /**
   * A consumer with manual commits that starts from the earliest offset when its group has none.
   *
   * @param groupProtocol {@code consumer} (KIP-848) or {@code classic}
   * @param extra pass-through client properties (security settings...), applied first so they
   *     cannot switch off manual commits
   */
  public static KafkaConsumer<byte[], byte[]> consumer(
      String bootstrapServers,
      String groupId,
      String groupProtocol,
      String clientId,
      int maxPollRecords,
      Map<String, String> extra) {
    Map<String, Object> config = new HashMap<>(extra);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, groupProtocol);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-consumer");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(config);
  }

  /**
   * An idempotent producer with {@code acks=all} for status events and dead letters.
   *
   * @param deliveryTimeout how long a record may be retried before its send fails
   */
  public static KafkaProducer<byte[], byte[]> producer(
      String bootstrapServers,
      String clientId,
      Duration deliveryTimeout,
      Map<String, String> extra) {
    Map<String, Object> config = new HashMap<>(extra);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-producer");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    long delivery = Math.max(deliveryTimeout.toMillis(), 1000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(delivery));
    // delivery.timeout.ms must be >= linger.ms + request.timeout.ms.
    config.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(30_000, delivery - 5)));
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(config);
  }
}
