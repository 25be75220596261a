package io.pixartdelta.worker.kafka;

import io.pixartdelta.schemas.CancelRequest;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.InvalidMessageException;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.render.IncomingJob;
import io.pixartdelta.worker.render.JobLogContext;
import io.pixartdelta.worker.render.RenderService;
import io.pixartdelta.worker.render.StatusRejectedException;
import io.pixartdelta.worker.render.StatusSink;
import io.pixartdelta.worker.tracing.JobTraces;
import io.pixartdelta.worker.tracing.TraceHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
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
 * Turns job records into {@link IncomingJob}s for the {@link RenderService}, and applies the cancel
 * requests that travel on the same topic (record header {@value CancelRequest#HEADER}).
 *
 * <p>A record that is not a valid job (not JSON, schema violation) never stops the worker: it gets
 * a FAILED status event with the stable error code and a copy on the dead-letter topic (truncated,
 * or none at all, if the broker refuses the whole copy: see {@link DeadLetterPublisher}); its
 * offset is released once both are done. The event's jobId is the one in the message if readable,
 * else the record key if it is a well-formed job id, else {@code unreadable-<topic>-<partition>-
 * <offset>}.
 */
public final class JobDispatcher implements JobIntake {
  private static final Logger LOG = LoggerFactory.getLogger(JobDispatcher.class);

  /**
   * Optional header with the submission attempt (decimal, from 1) set by resubmitting clients; the
   * worker reports it as is and does not count redeliveries (a consumer group keeps no delivery
   * count).
   */
  public static final String ATTEMPT_HEADER = "pixart.attempt";

  private final JsonCodec codec;
  private final RenderService service;
  private final StatusSink status;
  private final DeadLetterPublisher deadLetters;
  private final String workerId;
  private final Clock clock;
  private final Consumer<Throwable> fatal;
  private final AtomicInteger invalidInFlight = new AtomicInteger();
  private final JobTraces traces;

  public JobDispatcher(
      JsonCodec codec,
      RenderService service,
      StatusSink status,
      DeadLetterPublisher deadLetters,
      String workerId,
      Clock clock,
      Consumer<Throwable> fatal) {
    this(codec, service, status, deadLetters, workerId, clock, fatal, new JobTraces());
  }

  /**
   * @param traces told each job's trace headers, for its status events
   */
  public JobDispatcher(
      JsonCodec codec,
      RenderService service,
      StatusSink status,
      DeadLetterPublisher deadLetters,
      String workerId,
      Clock clock,
      Consumer<Throwable> fatal,
      JobTraces traces) {
    this.traces = Objects.requireNonNull(traces, "traces");
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
    Header type = record.headers().lastHeader(CancelRequest.HEADER);
    if (type != null) {
      acceptControl(record, text(type.value()), onDone);
      return;
    }
    int attempt = attempt(record);
    RenderJob job;
    try {
      job = codec.decodeJob(record.value());
    } catch (InvalidMessageException e) {
      rejectInvalid(record, attempt, e.code(), e.getMessage(), e.jobId(), e.toErrorInfo(), onDone);
      return;
    } catch (RuntimeException e) {
      // The codec promises InvalidMessageException only; a bug must not stop the partition either.
      LOG.error(
          "decoding the job at {}-{}@{} failed",
          record.topic(),
          record.partition(),
          record.offset(),
          e);
      String message = "the worker failed to read this message: " + e;
      rejectInvalid(
          record,
          attempt,
          ErrorCodes.INTERNAL_ERROR,
          message,
          Optional.empty(),
          ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, message),
          onDone);
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
    traces.remember(job.jobId(), TraceHeaders.from(record.headers()));
    JobLogContext logContext = JobLogContext.job(job);
    try {
      service.submit(
          new IncomingJob(
              job,
              attempt,
              clock.instant(),
              new TopicPartition(record.topic(), record.partition()),
              onDone));
    } finally {
      logContext.close();
    }
  }

  /**
   * A control message ({@value CancelRequest#HEADER} header): a cancel request is applied at once
   * and is done; an unreadable one or an unknown type is dead-lettered and logged, with no status
   * event, since it must not end the job it names.
   */
  private void acceptControl(ConsumerRecord<byte[], byte[]> record, String type, Runnable onDone) {
    if (!CancelRequest.TYPE.equals(type)) {
      dropControl(
          record,
          ErrorCodes.SCHEMA_INVALID,
          "unknown " + CancelRequest.HEADER + " '" + abbreviate(type) + "'",
          onDone);
      return;
    }
    CancelRequest request;
    try {
      request = codec.decodeCancel(record.value());
    } catch (InvalidMessageException e) {
      dropControl(record, e.code(), e.getMessage(), onDone);
      return;
    } catch (RuntimeException e) {
      LOG.error("decoding the cancel request at {}", position(record), e);
      dropControl(record, ErrorCodes.INTERNAL_ERROR, "cannot read: " + e, onDone);
      return;
    }
    int cancelled = service.cancel(request.jobId(), request.reason());
    LOG.info(
        "cancel request for job {} at {}: {} queued copies cancelled",
        request.jobId(),
        position(record),
        cancelled);
    onDone.run();
  }

  private void dropControl(
      ConsumerRecord<byte[], byte[]> record, String code, String reason, Runnable onDone) {
    LOG.warn("unusable control message at {}: {}", position(record), reason);
    invalidInFlight.incrementAndGet();
    deadLetters
        .publish(record, code, reason)
        .whenComplete(
            (ignored, failure) -> {
              invalidInFlight.decrementAndGet();
              if (failure == null) {
                onDone.run();
              } else {
                fatal.accept(failure);
              }
            });
  }

  private static String position(ConsumerRecord<byte[], byte[]> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }

  private static String abbreviate(String text) {
    if (text == null) {
      return "";
    }
    return text.length() <= 64 ? text : text.substring(0, 64) + "...";
  }

  private void rejectInvalid(
      ConsumerRecord<byte[], byte[]> record,
      int attempt,
      String code,
      String reason,
      Optional<String> messageJobId,
      ErrorInfo error,
      Runnable onDone) {
    String jobId = messageJobId.orElseGet(() -> fallbackJobId(record));
    LOG.warn(
        "invalid job message at {}-{}@{} (jobId {}): {}",
        record.topic(),
        record.partition(),
        record.offset(),
        jobId,
        reason);
    invalidInFlight.incrementAndGet();
    traces.remember(jobId, TraceHeaders.from(record.headers()));
    CompletableFuture<?> copied = deadLetters.publish(record, code, reason);
    CompletableFuture<Void> reported =
        status.publish(StatusEvent.rejected(jobId, attempt, workerId, clock.instant(), error));
    CompletableFuture.allOf(copied, reported)
        .whenComplete(
            (ignored, failure) -> {
              invalidInFlight.decrementAndGet();
              if (failure == null) {
                onDone.run();
              } else if (StatusRejectedException.isCause(failure)
                  && !copied.isCompletedExceptionally()) {
                LOG.error(
                    "the FAILED status of {} was refused; the message is done without it",
                    jobId,
                    failure);
                onDone.run();
              } else {
                fatal.accept(failure);
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
