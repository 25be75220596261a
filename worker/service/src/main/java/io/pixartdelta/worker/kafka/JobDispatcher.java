package io.pixartdelta.worker.kafka;

import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.InvalidMessageException;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.render.IncomingJob;
import io.pixartdelta.worker.render.RenderService;
import io.pixartdelta.worker.render.StatusSink;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns job records into {@link IncomingJob}s for the {@link RenderService}.
 *
 * <p>A record that is not a valid job (not JSON, schema violation) never stops the worker: it gets
 * a FAILED status event with the stable error code and a copy on the dead-letter topic; its offset
 * is released once both are acknowledged. The event's jobId is the one in the message if readable,
 * else the record key if it is a well-formed job id, else {@code unreadable-<topic>-<partition>-
 * <offset>}.
 */
public final class JobDispatcher implements JobIntake {
  private static final Logger LOG = LoggerFactory.getLogger(JobDispatcher.class);

  /** Optional header with the delivery attempt (decimal, from 1) set by resubmitting clients. */
  public static final String ATTEMPT_HEADER = "pixart.attempt";

  private final JsonCodec codec;
  private final RenderService service;
  private final StatusSink status;
  private final DeadLetterPublisher deadLetters;
  private final String workerId;
  private final Clock clock;
  private final Consumer<Throwable> fatal;
  private final AtomicInteger invalidInFlight = new AtomicInteger();

  public JobDispatcher(
      JsonCodec codec,
      RenderService service,
      StatusSink status,
      DeadLetterPublisher deadLetters,
      String workerId,
      Clock clock,
      Consumer<Throwable> fatal) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.service = Objects.requireNonNull(service, "service");
    this.status = Objects.requireNonNull(status, "status");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.workerId = Objects.requireNonNull(workerId, "workerId");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.fatal = Objects.requireNonNull(fatal, "fatal");
  }

  @Override
  public void accept(ConsumerRecord<byte[], byte[]> record, Runnable onDone) {
    int attempt = attempt(record);
    RenderJob job;
    try {
      job = codec.decodeJob(record.value());
    } catch (InvalidMessageException e) {
      rejectInvalid(record, attempt, e, onDone);
      return;
    }
    String key = text(record.key());
    if (key != null && !key.equals(job.jobId())) {
      LOG.warn(
          "job {} at {}-{}@{} has message key '{}'; the key should equal the jobId",
          job.jobId(),
          record.topic(),
          record.partition(),
          record.offset(),
          key);
    }
    service.submit(
        new IncomingJob(
            job,
            attempt,
            clock.instant(),
            new TopicPartition(record.topic(), record.partition()),
            onDone));
  }

  private void rejectInvalid(
      ConsumerRecord<byte[], byte[]> record,
      int attempt,
      InvalidMessageException e,
      Runnable onDone) {
    String jobId = e.jobId().orElseGet(() -> fallbackJobId(record));
    LOG.warn(
        "invalid job message at {}-{}@{} (jobId {}): {}",
        record.topic(),
        record.partition(),
        record.offset(),
        jobId,
        e.getMessage());
    invalidInFlight.incrementAndGet();
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    sends.add(deadLetters.publish(record, e.code(), e.getMessage()));
    if (jobId != null) {
      ErrorInfo error = e.toErrorInfo();
      sends.add(
          status.publish(StatusEvent.rejected(jobId, attempt, workerId, clock.instant(), error)));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture<?>[]::new))
        .whenComplete(
            (ignored, error) -> {
              invalidInFlight.decrementAndGet();
              if (error == null) {
                onDone.run();
              } else {
                fatal.accept(error);
              }
            });
  }

  @Override
  public int pending() {
    return service.pending() + invalidInFlight.get();
  }

  @Override
  public void abandon(Collection<TopicPartition> partitions) {
    Set<TopicPartition> lost = new HashSet<>(partitions);
    service.abandon(lost::contains);
  }

  @Override
  public void startDrain() {
    service.startDrain();
  }

  private static int attempt(ConsumerRecord<byte[], byte[]> record) {
    Header header = record.headers().lastHeader(ATTEMPT_HEADER);
    if (header == null || header.value() == null) {
      return 1;
    }
    try {
      int value = Integer.parseInt(new String(header.value(), StandardCharsets.UTF_8).trim());
      return Math.max(1, value);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * The id to report an unreadable message under: its key if that is a well-formed job id, else a
   * synthetic one from its position ({@code unreadable-<topic>-<partition>-<offset>}).
   */
  private static String fallbackJobId(ConsumerRecord<byte[], byte[]> record) {
    String key = text(record.key());
    if (RenderJob.isValidJobId(key)) {
      return key;
    }
    String id = "unreadable-" + record.topic() + "-" + record.partition() + "-" + record.offset();
    return id.length() <= 128 ? id : "unreadable-" + record.partition() + "-" + record.offset();
  }
}
