package io.pixartdelta.worker.kafka;

import java.util.Collection;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** What the consumer loop hands records to. Called on the consumer thread only. */
public interface JobIntake {

  /**
   * Takes one record. Must return quickly; {@code onDone} is called (on any thread) once the
   * record's job is fully handled and its offset may be committed.
   */
  void accept(ConsumerRecord<byte[], byte[]> record, Runnable onDone);

  /** Records accepted and not yet done; the loop pauses consumption when this is high. */
  int pending();

  /** The partitions were revoked or lost: drop their jobs that have not started yet. */
  void abandon(Collection<TopicPartition> partitions);

  /** Shutdown begins: finish what is queued without waiting for fuller batches. */
  void startDrain();
}
