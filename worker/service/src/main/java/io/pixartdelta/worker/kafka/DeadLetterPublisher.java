package io.pixartdelta.worker.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an unreadable job message to the dead-letter topic: the original key, value and headers,
 * plus headers saying why and where it came from.
 *
 * <p>No message may stop the worker, whatever its size: a copy that the producer or broker refuses
 * for what it is (larger than {@code max.request.size} or the topic's {@code max.message.bytes}) is
 * replaced by a truncated copy, {@value #TRUNCATED_VALUE_BYTES} bytes of the value and at most
 * {@value #TRUNCATED_KEY_BYTES} of the key, without the original headers, marked by {@link
 * #TRUNCATED} and carrying the original value's size and SHA-256. If even that copy fails, the
 * message has no dead letter: that is logged and counted ({@link Copy#NONE}), and the returned
 * future still completes normally, so the job's FAILED status alone releases its offset.
 */
public final class DeadLetterPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);

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

  /** Header present ({@code true}) only on a truncated copy. */
  public static final String TRUNCATED = "pixart.truncated";

  /** Header of a truncated copy: the original value's length in bytes (decimal text). */
  public static final String ORIGINAL_SIZE = "pixart.original.size";

  /** Header of a truncated copy: the original value's SHA-256, lowercase hex. */
  public static final String ORIGINAL_SHA256 = "pixart.original.sha256";

  /** Value bytes a truncated copy keeps. */
  public static final int TRUNCATED_VALUE_BYTES = 16 * 1024;

  /** Key bytes a truncated copy keeps. */
  public static final int TRUNCATED_KEY_BYTES = 256;

  private static final int MAX_REASON_CHARS = 2000;

  /** What reached the dead-letter topic for one message. */
  public enum Copy {
    /** The whole message. */
    FULL,
    /** A truncated copy: the whole one was refused. */
    TRUNCATED,
    /** Nothing: even the truncated copy failed. */
    NONE;

    /** Lower-case name, for metric tags. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Told the outcome of each dead-lettered message (metrics). */
  public interface Listener {
    void copied(String code, Copy copy);
  }

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Listener listener;

  public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic) {
    this(producer, topic, (code, copy) -> {});
  }

  public DeadLetterPublisher(Producer<byte[], byte[]> producer, String topic, Listener listener) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Sends the copy. The future completes with what was written once the broker acknowledged it (or
   * once even the truncated copy failed); it fails only if the whole copy failed for a reason other
   * than the record itself (e.g. the broker stayed unreachable), so that the message is
   * redelivered.
   */
  public CompletableFuture<Copy> publish(
      ConsumerRecord<byte[], byte[]> original, String code, String reason) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : original.headers()) {
      headers.add(header);
    }
    addErrorHeaders(headers, original, code, reason);
    CompletableFuture<Copy> result = new CompletableFuture<>();
    Sends.send(
            producer, new ProducerRecord<>(topic, null, original.key(), original.value(), headers))
        // Async: the fallback sends again, which must not run on the producer's I/O thread.
        .whenCompleteAsync(
            (ignored, error) -> {
              if (error == null) {
                done(result, code, Copy.FULL);
              } else if (Sends.refusesRecord(error)) {
                sendTruncated(original, code, reason, error, result);
              } else {
                result.completeExceptionally(error);
              }
            });
    return result;
  }

  private void sendTruncated(
      ConsumerRecord<byte[], byte[]> original,
      String code,
      String reason,
      Throwable refusal,
      CompletableFuture<Copy> result) {
    byte[] value = original.value() == null ? new byte[0] : original.value();
    LOG.warn(
        "dead-letter copy of {}-{}@{} ({} value bytes) refused ({}); sending a truncated copy",
        original.topic(),
        original.partition(),
        original.offset(),
        value.length,
        refusal.toString());
    RecordHeaders headers = new RecordHeaders();
    addErrorHeaders(headers, original, code, reason);
    headers.add(TRUNCATED, utf8("true"));
    headers.add(ORIGINAL_SIZE, utf8(Integer.toString(value.length)));
    headers.add(ORIGINAL_SHA256, utf8(HexFormat.of().formatHex(sha256(value))));
    ProducerRecord<byte[], byte[]> truncated =
        new ProducerRecord<>(
            topic,
            null,
            prefix(original.key(), TRUNCATED_KEY_BYTES),
            prefix(value, TRUNCATED_VALUE_BYTES),
            headers);
    Sends.send(producer, truncated)
        .whenComplete(
            (ignored, error) -> {
              if (error == null) {
                done(result, code, Copy.TRUNCATED);
              } else {
                LOG.error(
                    "no dead-letter copy of {}-{}@{} (code {}, {} value bytes, sha256 {}) could be"
                        + " written: {}",
                    original.topic(),
                    original.partition(),
                    original.offset(),
                    code,
                    value.length,
                    HexFormat.of().formatHex(sha256(value)),
                    error.toString());
                done(result, code, Copy.NONE);
              }
            });
  }

  private void done(CompletableFuture<Copy> result, String code, Copy copy) {
    try {
      listener.copied(code, copy);
    } finally {
      result.complete(copy);
    }
  }

  private static void addErrorHeaders(
      RecordHeaders headers, ConsumerRecord<byte[], byte[]> original, String code, String reason) {
    headers.add(ERROR_CODE, utf8(code));
    String why = reason == null ? "" : reason;
    headers.add(
        ERROR_REASON,
        utf8(why.length() > MAX_REASON_CHARS ? why.substring(0, MAX_REASON_CHARS) : why));
    headers.add(SOURCE_TOPIC, utf8(original.topic()));
    headers.add(SOURCE_PARTITION, utf8(Integer.toString(original.partition())));
    headers.add(SOURCE_OFFSET, utf8(Long.toString(original.offset())));
  }

  private static byte[] prefix(byte[] bytes, int max) {
    return bytes == null || bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
