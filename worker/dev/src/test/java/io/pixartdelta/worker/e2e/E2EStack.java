package io.pixartdelta.worker.e2e;

import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.app.WorkerOptionsLoader;
import io.pixartdelta.worker.embedded.EmbeddedKafka;
import io.pixartdelta.worker.embedded.EmbeddedS3;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.render.RendererFactory;
import io.pixartdelta.worker.storage.S3ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real Kafka broker and S3 server for one test class, plus helpers. Each test uses its own
 * topics, consumer group and key prefix (named after {@code name}) so tests do not see each other's
 * messages. Registered as {@code @RegisterExtension static final E2EStack stack = new E2EStack();}
 * it starts with the test class and stops after its last test.
 */
final class E2EStack implements AutoCloseable, AfterAllCallback {
  static final String BUCKET = "renders";
  static final int PARTITIONS = 3;

  final EmbeddedKafka kafka;
  final EmbeddedS3 s3;
  private final KafkaProducer<byte[], byte[]> producer;

  E2EStack() {
    kafka = EmbeddedKafka.start();
    s3 = EmbeddedS3.startTransient();
    s3.createBuckets(Set.of(BUCKET));
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.ACKS_CONFIG,
                "all"));
  }

  /**
   * The renderer under test: {@code fake} (the test {@code FakeRenderer}) unless the system
   * property {@code pixart.e2e.renderer} names another {@link RendererFactory}; {@code
   * pixart.e2e.model} gives its model folder.
   */
  static Renderer renderer() {
    String name = System.getProperty("pixart.e2e.renderer", "fake");
    String model = System.getProperty("pixart.e2e.model");
    for (RendererFactory factory : ServiceLoader.load(RendererFactory.class)) {
      if (factory.name().equals(name)) {
        return factory.create(
            new RendererFactory.Settings(model == null ? null : Path.of(model), "cpu", "fp32"));
      }
    }
    throw new IllegalStateException("no renderer named " + name + " on the test classpath");
  }

  /** Creates the test's topics and returns worker options pointing at them. */
  WorkerOptions options(String name, String workerId) {
    return WorkerOptionsLoader.load(null, Map.of(), optionValues(name, workerId));
  }

  /** Creates the test's topics and returns the option values (key=value) of {@link #options}. */
  Map<String, String> optionValues(String name, String workerId) {
    kafka.createTopics(
        PARTITIONS, List.of(jobsTopic(name), statusTopic(name), deadLetterTopic(name)));
    Map<String, String> values = new HashMap<>();
    values.put("worker.id", workerId);
    values.put("worker.max-batch-size", "4");
    values.put("worker.max-wait", "50ms");
    values.put("worker.max-queued-jobs", "16");
    values.put("worker.drain-timeout", "20s");
    values.put("kafka.bootstrap-servers", kafka.bootstrapServers());
    values.put("kafka.group-id", name + "-workers");
    values.put("kafka.jobs-topic", jobsTopic(name));
    values.put("kafka.status-topic", statusTopic(name));
    values.put("kafka.dead-letter-topic", deadLetterTopic(name));
    values.put("kafka.poll-timeout", "50ms");
    values.put("kafka.delivery-timeout", "30s");
    values.put("output.default-bucket", BUCKET);
    values.put("output.default-prefix", name);
    values.put("output.png-compression", "1");
    values.put("s3.endpoint", s3.endpoint().toString());
    values.put("s3.path-style", "true");
    values.put("s3.access-key", s3.accessKey());
    values.put("s3.secret-key", s3.secretKey());
    return values;
  }

  /**
   * {@code values} (copied) for a group in which a killed member's partitions move quickly: classic
   * groups hand them on after a 6 s session timeout (KIP-848's broker-side minimum is 45 s).
   */
  static Map<String, String> fastFailover(Map<String, String> values) {
    Map<String, String> copy = new HashMap<>(values);
    copy.put("kafka.group-protocol", "classic");
    copy.put("kafka.client.session.timeout.ms", "6000");
    copy.put("kafka.client.heartbeat.interval.ms", "500");
    return copy;
  }

  static String jobsTopic(String name) {
    return name + "-jobs";
  }

  static String statusTopic(String name) {
    return name + "-status";
  }

  static String deadLetterTopic(String name) {
    return name + "-dlt";
  }

  /** Sends a job keyed by its id. */
  void send(String name, RenderJob job) {
    sendRaw(name, job.jobId(), JsonCodec.shared().encode(job));
  }

  /** A record key that the producer's default partitioner sends to {@code partition}. */
  static String keyOnPartition(String prefix, int partition) {
    for (int i = 0; ; i++) {
      String key = prefix + "-" + i;
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      if (Utils.toPositive(Utils.murmur2(bytes)) % PARTITIONS == partition) {
        return key;
      }
    }
  }

  /** Sends arbitrary bytes (key may be null). */
  void sendRaw(String name, String key, byte[] value) {
    try {
      producer
          .send(
              new ProducerRecord<>(
                  jobsTopic(name),
                  key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                  value))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  /** Sends a record as given (headers included); returns where it landed. */
  RecordMetadata sendRecord(ProducerRecord<byte[], byte[]> record) {
    try {
      return producer.send(record).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  /** An S3 client for reading back what the worker stored. */
  S3Client s3Client(WorkerOptions options) {
    return S3ObjectStore.buildClient(options.s3());
  }

  /** A partition's committed offset (null if none) and log-end offset. */
  record Position(Long committed, long end) {}

  /** Committed offsets of the group vs the log-end offsets of the topic, per partition. */
  Map<TopicPartition, Position> committedVsEnd(String group, String topic) throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(10, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> ends =
          admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
      Map<TopicPartition, Position> result = new HashMap<>();
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        OffsetAndMetadata c = committed.get(end.getKey());
        result.put(end.getKey(), new Position(c == null ? null : c.offset(), end.getValue()));
      }
      return result;
    }
  }

  /**
   * Waits until {@code group} is stable with {@code members} members, each holding at least one
   * partition; returns how many partitions each member (by client id) holds.
   */
  Map<String, Integer> awaitGroup(String group, int members, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    try (Admin admin = kafka.admin()) {
      while (true) {
        Map<String, Integer> held = new HashMap<>();
        try {
          ConsumerGroupDescription description =
              admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
          for (MemberDescription member : description.members()) {
            held.put(member.clientId(), member.assignment().topicPartitions().size());
          }
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof GroupIdNotFoundException)) {
            throw e;
          }
        }
        if (held.size() == members && !held.containsValue(0)) {
          return held;
        }
        if (System.nanoTime() > end) {
          throw new AssertionError("group " + group + " did not settle: " + held);
        }
        Thread.sleep(100);
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    producer.close();
    s3.close();
    kafka.close();
  }
}
