package io.pixartdelta.worker.kafka;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

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

  /**
   * True if the send failed because of the record itself (too large for the producer's {@code
   * max.request.size} or the topic's {@code max.message.bytes}, refused or mangled by the broker):
   * sending the same record again cannot succeed, while other records still can.
   */
  static boolean refusesRecord(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof RecordTooLargeException
        || cause instanceof RecordBatchTooLargeException
        || cause instanceof InvalidRecordException
        || cause instanceof CorruptRecordException
        || cause instanceof SerializationException;
  }
}
