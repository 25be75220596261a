package io.pixartdelta.producer;

import io.pixartdelta.schemas.CancelRequest;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's send queue: runs send tasks on one thread (a send may block on Kafka metadata) in
 * submission order, holding them until the status consumer is ready so that no status event can be
 * missed, and writes job and cancel records with the idempotent producer.
 */
final class JobSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobSender.class);

  private final Producer<String, byte[]> producer;
  private final KafkaSettings kafka;
  private final JsonCodec codec;
  private final ExecutorService thread;
  private final Executor executor;
  private final Object readyLock = new Object();
  private final List<Runnable> waitingForReady = new ArrayList<>(); // guarded by readyLock
  private boolean readyFired; // guarded by readyLock

  /** Owns {@code producer}; queued tasks run once {@code ready} completes, either way. */
  JobSender(
      Producer<String, byte[]> producer,
      KafkaSettings kafka,
      JsonCodec codec,
      CompletableFuture<Void> ready) {
    this.producer = producer;
    this.kafka = kafka;
    this.codec = codec;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, kafka.clientId() + "-send");
              t.setDaemon(true);
              return t;
            });
    // After close() the thread rejects tasks: run them inline, they only fail the job then.
    this.executor =
        task -> {
          try {
            thread.execute(task);
          } catch (RejectedExecutionException e) {
            task.run();
          }
        };
    ready.whenComplete((ok, failure) -> releaseWaiting());
  }

  /**
   * Runs a send task on the send thread once the status consumer is ready (or failed), in
   * submission order: tasks that arrive before that wait in a FIFO queue.
   */
  void whenReady(Runnable task) {
    synchronized (readyLock) {
      if (!readyFired) {
        waitingForReady.add(task);
        return;
      }
    }
    executor.execute(task);
  }

  private void releaseWaiting() {
    List<Runnable> tasks;
    synchronized (readyLock) {
      readyFired = true;
      tasks = new ArrayList<>(waitingForReady);
      waitingForReady.clear();
    }
    tasks.forEach(executor::execute);
  }

  /** Writes one job record; completes when Kafka acknowledged it (acks=all). */
  CompletableFuture<Void> write(RenderJob job) {
    return send(
        new ProducerRecord<>(kafka.jobsTopic(), job.jobId(), codec.encode(job)),
        "job " + job.jobId());
  }

  /** Writes a cancel request, keyed by its job id so that it follows the job. */
  CompletableFuture<Void> write(CancelRequest request) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(kafka.jobsTopic(), request.jobId(), codec.encode(request));
    record.headers().add(CancelRequest.HEADER, CancelRequest.TYPE.getBytes(StandardCharsets.UTF_8));
    return send(record, "the cancel request of " + request.jobId());
  }

  private CompletableFuture<Void> send(ProducerRecord<String, byte[]> record, String what) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              acked.completeExceptionally(
                  new InfrastructureException(
                      "cannot send " + what + ": " + error.getMessage(), error));
            } else {
              acked.complete(null);
            }
          });
    } catch (KafkaException e) {
      acked.completeExceptionally(
          new InfrastructureException("cannot send " + what + ": " + e.getMessage(), e));
    }
    return acked;
  }

  /** Lets queued sends finish (up to the connect timeout), then closes the producer. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(kafka.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
    try {
      producer.close(kafka.connectTimeout());
    } catch (KafkaException e) {
      LOG.debug("error closing the producer", e);
    }
  }
}
