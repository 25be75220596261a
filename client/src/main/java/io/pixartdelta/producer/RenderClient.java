package io.pixartdelta.producer;

import io.pixartdelta.schemas.CancelRequest;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits render jobs to Kafka and completes a future per job with its terminal status.
 *
 * <pre>{@code
 * try (RenderClient client = RenderClient.builder("localhost:9092").build()) {
 *   List<CompletableFuture<JobResult>> futures = client.submitAll(jobs);
 *   for (CompletableFuture<JobResult> f : futures) {
 *     JobResult r = f.join();              // SUCCEEDED, FAILED or EXPIRED
 *     r.orThrow().results().forEach(img -> System.out.println(img.uri()));
 *   }
 * }
 * }</pre>
 *
 * <p><b>Status.</b> One status consumer per client (its own thread, all partitions of the status
 * topic, no consumer group) correlates events by job id for every job in flight; duplicates
 * (at-least-once upstream), out-of-order events and events of unknown jobs are tolerated (see
 * {@link StatusTracker}).
 *
 * <p><b>Idempotency.</b> The job id is the idempotency key. Submitting an id that is in flight
 * returns the same future; an id whose terminal status is known (this session, or found within the
 * status look-back after a restart) completes at once; an id seen in the jobs topic within the
 * look-back, or with any status event, is waited for and not sent again. Outside the look-back
 * window a resubmitted id is sent again; the worker then renders it again but writes the same
 * deterministic object keys ({@code {prefix}/{jobId}/{index}.{ext}}), so results do not multiply.
 * To retry a FAILED job, submit it under a new id.
 *
 * <p><b>Sending.</b> Jobs are sent with an idempotent producer ({@code acks=all}) keyed by job id,
 * only after the status consumer is positioned, so no status event can be missed.
 *
 * <p><b>Failures.</b> A FAILED/EXPIRED job completes normally ({@link JobResult#orThrow()} turns it
 * into {@link RenderFailedException}); a job without a terminal status within its timeout fails
 * with {@link JobTimeoutException}; Kafka unreachable fails with {@link InfrastructureException};
 * {@link #close()} cancels the futures still pending.
 *
 * <p>Thread-safe; create one per application and share it.
 */
public final class RenderClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RenderClient.class);
  private static final Duration TIMEOUT_CHECK = Duration.ofMillis(50);

  private final KafkaSettings kafka;
  private final Duration defaultTimeout;
  private final Clock clock;
  private final JsonCodec codec = JsonCodec.shared();
  private final StatusTracker tracker;
  private final StatusFollower follower;
  private final JobSender sender;
  private final ScheduledExecutorService timer;
  private final S3Transfer s3;
  private volatile boolean closed;

  RenderClient(RenderClientBuilder b) {
    this.kafka = b.kafkaSettings();
    this.defaultTimeout = b.defaultTimeout;
    this.clock = b.clock;
    this.tracker = new StatusTracker(b.maxRememberedJobs);
    this.s3 = b.s3 == null ? null : s3Transfer(b.s3);
    Producer<String, byte[]> producer;
    try {
      producer = new KafkaProducer<>(kafka.producerProperties());
    } catch (KafkaException e) {
      closeQuietly(s3);
      throw new InfrastructureException("cannot create the Kafka producer: " + e.getMessage(), e);
    }
    Consumer<byte[], byte[]> consumer;
    try {
      consumer = new KafkaConsumer<>(kafka.consumerProperties("status"));
    } catch (KafkaException e) {
      producer.close(Duration.ZERO);
      closeQuietly(s3);
      throw new InfrastructureException("cannot create the Kafka consumer: " + e.getMessage(), e);
    }
    this.follower = new StatusFollower(consumer, kafka, b.statusLookBack, clock, tracker, codec);
    this.sender = new JobSender(producer, kafka, codec, follower.ready());
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon(kafka.clientId() + "-timeouts"));
    follower.start();
    timer.scheduleAtFixedRate(
        () -> tracker.expireOverdue(clock.instant()),
        TIMEOUT_CHECK.toMillis(),
        TIMEOUT_CHECK.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** A builder for a client of the given brokers ({@code host:port[,host:port]}). */
  public static RenderClientBuilder builder(String bootstrapServers) {
    return new RenderClientBuilder(bootstrapServers);
  }

  /** Submits a job with the default timeout and no listener. */
  public CompletableFuture<JobResult> submit(RenderJob job) {
    return submit(job, SubmitOptions.defaults());
  }

  /**
   * Submits a job (or joins the wait for an already submitted one with the same id).
   *
   * @return completes with the terminal status; fails with {@link JobTimeoutException} after the
   *     timeout, {@link InfrastructureException} when Kafka is unreachable
   */
  public CompletableFuture<JobResult> submit(RenderJob job, SubmitOptions options) {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(options, "options");
    ensureOpen();
    Duration timeout = options.timeout() != null ? options.timeout() : defaultTimeout;
    Instant deadline = clock.instant().plus(timeout);
    StatusTracker.Tracking tracking =
        tracker.track(job.jobId(), deadline, timeout, options.listener());
    if (tracking.started()) {
      sender.whenReady(() -> trySend(job));
    }
    return tracking.future();
  }

  /** Submits every job with the default timeout; futures in the order of {@code jobs}. */
  public List<CompletableFuture<JobResult>> submitAll(Collection<RenderJob> jobs) {
    return submitAll(jobs, SubmitOptions.defaults());
  }

  /** Submits every job with the same options; futures in the order of {@code jobs}. */
  public List<CompletableFuture<JobResult>> submitAll(
      Collection<RenderJob> jobs, SubmitOptions options) {
    List<CompletableFuture<JobResult>> futures = new ArrayList<>(jobs.size());
    for (RenderJob job : jobs) {
      futures.add(submit(job, options));
    }
    return futures;
  }

  /**
   * Sends a job without waiting for its status (fire-and-forget), with the same duplicate rules as
   * {@link #submit}.
   *
   * @return {@code true} once Kafka acknowledged the job, {@code false} when it was not sent
   *     because its id is already in flight, sent or has status events
   */
  public CompletableFuture<Boolean> send(RenderJob job) {
    Objects.requireNonNull(job, "job");
    ensureOpen();
    CompletableFuture<Boolean> acked = new CompletableFuture<>();
    sender.whenReady(
        () -> {
          Throwable cannot = closed ? closedBeforeSending(job) : readyFailure();
          if (cannot != null) {
            acked.completeExceptionally(cannot);
          } else if (!tracker.claimUntracked(job.jobId())) {
            acked.complete(false);
          } else {
            sender
                .write(job)
                .whenComplete(
                    (v, err) -> {
                      if (err != null) {
                        tracker.unclaimUntracked(job.jobId());
                        acked.completeExceptionally(err);
                      } else {
                        acked.complete(true);
                      }
                    });
          }
        });
    return acked;
  }

  /**
   * Asks the workers to cancel a job that has not started rendering: a cancel request ({@link
   * CancelRequest}) on the jobs topic, keyed by the job id so that it follows the job. A queued job
   * then ends CANCELLED (its future, if this client submitted it, completes with that result); a
   * job that has started or finished is not affected.
   *
   * @param reason why, copied into the CANCELLED event (at most 512 characters), or null
   * @return completes once Kafka acknowledged the request; fails with {@link
   *     InfrastructureException} when Kafka is unreachable
   */
  public CompletableFuture<Void> cancel(String jobId, String reason) {
    CancelRequest request = CancelRequest.of(jobId, reason, clock.instant());
    ensureOpen();
    return sender.write(request);
  }

  /**
   * Completes when the status consumer is positioned and caught up with the look-back (jobs are
   * sent only after that); fails with {@link InfrastructureException} when Kafka is unreachable.
   */
  public CompletableFuture<Void> ready() {
    return follower.ready();
  }

  /** Number of jobs whose terminal status is still awaited. */
  public int pendingJobs() {
    return tracker.pendingCount();
  }

  /**
   * Uploads a local PNG/JPEG to the configured control bucket and returns a {@link ControlSpec}
   * referencing it ({@code s3://bucket/prefix/sha256.ext}); uploading the same file twice is a
   * no-op.
   */
  public ControlSpec uploadControlImage(Path file, ControlType type, double scale) {
    return requireS3().uploadControlImage(file, type, scale);
  }

  /**
   * Fails now, rather than at the first upload or download, when S3 has no credentials.
   *
   * @throws S3CredentialsException when neither the settings nor the AWS default chain give any
   */
  public void requireS3Credentials() {
    requireS3().requireCredentials();
  }

  /** Downloads one image into {@code dir}, verifying its size and SHA-256. */
  public Path download(ImageResult image, Path dir) {
    return requireS3().download(image, dir);
  }

  /** Downloads all images of a job into {@code dir}. */
  public List<Path> download(JobResult result, Path dir) {
    return requireS3().download(result, dir);
  }

  /** The Kafka settings in use. */
  public KafkaSettings kafkaSettings() {
    return kafka;
  }

  /**
   * Flushes jobs being sent, stops the status consumer and cancels every future still waiting for a
   * status. Wait for the futures you care about before closing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    sender.close();
    follower.close();
    timer.shutdownNow();
    tracker.failAll(new CancellationException("RenderClient closed before the job finished"));
    closeQuietly(s3);
  }

  /** Sends a tracked job unless the client closed, Kafka failed or the id is already known. */
  private void trySend(RenderJob job) {
    Throwable cannot = closed ? closedBeforeSending(job) : readyFailure();
    if (cannot != null) {
      tracker.sendFailed(job.jobId(), cannot);
    } else if (tracker.claimSend(job.jobId())) {
      sendTracked(job);
    }
  }

  /** Why the status consumer could not start, or null; only called once it is done. */
  private Throwable readyFailure() {
    try {
      follower.ready().join();
      return null;
    } catch (CompletionException | CancellationException e) {
      return unwrap(e);
    }
  }

  private static CancellationException closedBeforeSending(RenderJob job) {
    return new CancellationException("RenderClient closed before job " + job.jobId() + " was sent");
  }

  private void sendTracked(RenderJob job) {
    sender
        .write(job)
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                tracker.sendFailed(job.jobId(), err);
              }
            });
  }

  /** The S3 helpers, which need the optional AWS SDK dependency. */
  private static S3Transfer s3Transfer(S3Settings settings) {
    try {
      Class.forName(
          "software.amazon.awssdk.services.s3.S3Client", false, S3Settings.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "S3 uploads and downloads need the AWS SDK: add software.amazon.awssdk:s3 (an optional"
              + " dependency of io.pixartdelta:client) to your dependencies",
          e);
    }
    return new S3Transfer(settings);
  }

  private S3Transfer requireS3() {
    if (s3 == null) {
      throw new IllegalStateException("S3 is not configured: set RenderClientBuilder.s3(...)");
    }
    return s3;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("RenderClient is closed");
    }
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while (cur instanceof CompletionException && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private static void closeQuietly(S3Transfer s3) {
    if (s3 != null) {
      try {
        s3.close();
      } catch (RuntimeException e) {
        LOG.debug("error closing the S3 client", e);
      }
    }
  }
}
