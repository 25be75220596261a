package io.pixartdelta.worker.kafka;

import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.render.StatusRejectedException;
import io.pixartdelta.worker.render.StatusSink;
import io.pixartdelta.worker.tracing.JobTraces;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes status events to the status topic, keyed by jobId (so a job's events stay in order on
 * one partition). The producer must be idempotent with {@code acks=all} ({@link KafkaClients}). An
 * event the producer or broker refuses for what it is fails with {@link StatusRejectedException}.
 * Each event carries its job record's W3C trace headers, if it had any ({@link JobTraces}).
 */
public final class StatusPublisher implements StatusSink {
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final JsonCodec codec;
  private final JobTraces traces;

  public StatusPublisher(Producer<byte[], byte[]> producer, String topic, JsonCodec codec) {
    this(producer, topic, codec, new JobTraces());
  }

  public StatusPublisher(
      Producer<byte[], byte[]> producer, String topic, JsonCodec codec, JobTraces traces) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.traces = Objects.requireNonNull(traces, "traces");
  }

  @Override
  public CompletableFuture<Void> publish(StatusEvent event) {
    byte[] key = event.jobId().getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, codec.encode(event));
    traces.of(event.jobId()).ifPresent(trace -> trace.addTo(record.headers()));
    CompletableFuture<Void> sent = Sends.send(producer, record);
    CompletableFuture<Void> result = new CompletableFuture<>();
    sent.whenComplete(
        (ignored, error) -> {
          if (error == null) {
            result.complete(null);
          } else if (Sends.refusesRecord(error)) {
            result.completeExceptionally(new StatusRejectedException(event.jobId(), error));
          } else {
            result.completeExceptionally(error);
          }
        });
    return result;
  }
}
