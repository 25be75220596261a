package io.pixartdelta.producer;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where and how the client talks to Kafka.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param jobsTopic topic the worker consumes render jobs from (default {@value
 *     #DEFAULT_JOBS_TOPIC})
 * @param statusTopic topic the worker publishes status events to (default {@value
 *     #DEFAULT_STATUS_TOPIC})
 * @param clientId prefix of the Kafka client ids, visible in broker logs and metrics
 * @param connectTimeout how long to wait for the broker (metadata, topic discovery) before giving
 *     up with {@link InfrastructureException}; raise it on slow networks
 * @param extraProperties passed to both the producer and the consumer as-is (security, SASL, ...);
 *     keys the client relies on (serializers, acks, idempotence) cannot be overridden
 */
public record KafkaSettings(
    String bootstrapServers,
    String jobsTopic,
    String statusTopic,
    String clientId,
    Duration connectTimeout,
    Map<String, String> extraProperties) {

  public static final String DEFAULT_JOBS_TOPIC = "render-jobs";
  public static final String DEFAULT_STATUS_TOPIC = "render-status";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  // Kafka's legal topic names: 1..249 of [a-zA-Z0-9._-].
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  public KafkaSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers: required (host:port[,host:port])");
    }
    requireTopic("jobsTopic", jobsTopic);
    requireTopic("statusTopic", statusTopic);
    if (jobsTopic.equals(statusTopic)) {
      throw new IllegalArgumentException(
          "statusTopic: must differ from jobsTopic, both are '" + jobsTopic + "'");
    }
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("clientId: required");
    }
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout: must be positive, got " + connectTimeout);
    }
    extraProperties = Map.copyOf(extraProperties == null ? Map.of() : extraProperties);
  }

  /** Default topics, client id and timeout for the given brokers. */
  public static KafkaSettings of(String bootstrapServers) {
    return new KafkaSettings(
        bootstrapServers,
        DEFAULT_JOBS_TOPIC,
        DEFAULT_STATUS_TOPIC,
        "pixart-producer",
        DEFAULT_CONNECT_TIMEOUT,
        Map.of());
  }

  public KafkaSettings withTopics(String newJobsTopic, String newStatusTopic) {
    return new KafkaSettings(
        bootstrapServers, newJobsTopic, newStatusTopic, clientId, connectTimeout, extraProperties);
  }

  public KafkaSettings withClientId(String newClientId) {
    return new KafkaSettings(
        bootstrapServers, jobsTopic, statusTopic, newClientId, connectTimeout, extraProperties);
  }

  public KafkaSettings withConnectTimeout(Duration newConnectTimeout) {
    return new KafkaSettings(
        bootstrapServers, jobsTopic, statusTopic, clientId, newConnectTimeout, extraProperties);
  }

  public KafkaSettings withExtraProperties(Map<String, String> newExtraProperties) {
    return new KafkaSettings(
        bootstrapServers, jobsTopic, statusTopic, clientId, connectTimeout, newExtraProperties);
  }

  /**
   * Idempotent producer keyed by job id: {@code acks=all} and idempotence so a retried send never
   * duplicates or reorders a job within a partition.
   */
  Properties producerProperties() {
    Properties p = new Properties();
    p.putAll(extraProperties);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-jobs");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(connectTimeout.toMillis()));
    return p;
  }

  /**
   * Group-less consumer for manually assigned partitions: it never commits, every client instance
   * reads the whole status stream from where it seeks.
   */
  Properties consumerProperties(String role) {
    Properties p = new Properties();
    p.putAll(extraProperties);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + role);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(
        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
        Long.toString(Math.max(1000, connectTimeout.toMillis())));
    return p;
  }

  private static void requireTopic(String field, String topic) {
    if (topic == null
        || !TOPIC.matcher(topic).matches()
        || ".".equals(topic)
        || "..".equals(topic)) {
      throw new IllegalArgumentException(
          field + ": not a legal Kafka topic name (1-249 of [a-zA-Z0-9._-]): '" + topic + "'");
    }
  }
}
