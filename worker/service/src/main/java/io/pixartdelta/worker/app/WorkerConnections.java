package io.pixartdelta.worker.app;

import io.pixartdelta.worker.kafka.KafkaClients;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.S3ObjectStore;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * What a {@link Worker} talks to: the job consumer, the producer of status events and dead letters,
 * and the object store for images. {@link #connect} builds the real ones; tests pass stand-ins. The
 * worker owns them once started and closes them.
 *
 * @param consumer subscribed to the jobs topic by the worker
 * @param producer status events and dead letters
 * @param store images out, control images in
 */
public record WorkerConnections(
    Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, ObjectStore store) {

  public WorkerConnections {
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(store, "store");
  }

  /** The Kafka clients and the S3 store as {@code options} configure them (production). */
  public static WorkerConnections connect(WorkerOptions options) {
    WorkerOptions.KafkaOptions kafka = options.kafka();
    Producer<byte[], byte[]> producer =
        KafkaClients.producer(
            kafka.bootstrapServers(),
            options.workerId(),
            kafka.deliveryTimeout(),
            kafka.clientProperties());
    try {
      ObjectStore store = new S3ObjectStore(options.s3());
      return new WorkerConnections(
          KafkaClients.consumer(
              kafka.bootstrapServers(),
              kafka.groupId(),
              kafka.groupProtocol(),
              options.workerId(),
              kafka.maxPollRecords(),
              kafka.clientProperties()),
          producer,
          store);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }
}
