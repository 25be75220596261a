package io.pixartdelta.worker.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Copies an unreadable job message to the dead-letter topic: the original key, value and headers,
 * plus headers saying why and where it came from.
 */
public final class DeadLetterPublisher {
  /** Header with the stable error code. */
  public static final String ERROR_CODE = "pixart.error.code";

  /** Header with the human-readable reason. */
  public static final String ERROR_REASON = "pixart.error.reason";

  /** Header with the source topic. */
  public static final String SOURCE_TOPIC = "pixart.source.topic";

  /** Header with the source partition (decimal text). */
  public static final String SOURCE_PARTITION = "pixart.source.partition";

  /** Header with the source offset (decimal text). */
  public static final String SOURCE_OFFSET = "pixart.source.offset";

  private static final int MAX_REASON_CHARS = 2000;

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Consumer<String> onPublished;

  public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic) {
    this(producer, topic, code -> {});
  }

  /**
   * @param onPublished told the error code of each copy the broker acknowledged (metrics)
   */
  public DeadLetterPublisher(
      Producer<byte[], byte[]> producer, String topic, Consumer<String> onPublished) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.onPublished = Objects.requireNonNull(onPublished, "onPublished");
  }

  /** Sends the copy; the future completes when the broker acknowledges it. */
  public CompletableFuture<Void> publish(
      ConsumerRecord<byte[], byte[]> original, String code, String reason) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : original.headers()) {
      headers.add(header);
    }
    headers.add(ERROR_CODE, utf8(code));
    String why = reason == null ? "" : reason;
    headers.add(
        ERROR_REASON,
        utf8(why.length() > MAX_REASON_CHARS ? why.substring(0, MAX_REASON_CHARS) : why));
    headers.add(SOURCE_TOPIC, utf8(original.topic()));
    headers.add(SOURCE_PARTITION, utf8(Integer.toString(original.partition())));
    headers.add(SOURCE_OFFSET, utf8(Long.toString(original.offset())));
    return Sends.send(
            producer, new ProducerRecord<>(topic, null, original.key(), original.value(), headers))
        .thenRun(() -> onPublished.accept(code));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
