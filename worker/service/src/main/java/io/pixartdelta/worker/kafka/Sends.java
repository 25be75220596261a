package io.pixartdelta.worker.kafka;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Producer sends as futures that complete when the broker acknowledges. */
final class Sends {
  private Sends() {}

  static CompletableFuture<Void> send(
      Producer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error == null) {
              acked.complete(null);
            } else {
              acked.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      // send() throws for a closed producer or a record it cannot serialize.
      acked.completeExceptionally(e);
    }
    return acked;
  }
}
