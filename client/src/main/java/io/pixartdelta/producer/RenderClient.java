package io.pixartdelta.producer;

import io.pixartdelta.schemas.CancelRequest;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
  private final Producer<String, byte[]> producer;
  private final StatusTracker tracker;
  private final StatusFollower follower;
  private final ExecutorService sender;
  private final java.util.concurrent.Executor sendExecutor;
  private final Object readyLock = new Object();
  private final List<Runnable> waitingForReady = new ArrayList<>(); // guarded by readyLock
  private boolean readyFired; // guarded by readyLock
  private final ScheduledExecutorService timer;
  private final S3Transfer s3;
  private volatile boolean closed;

  private RenderClient(Builder b) {
    this.kafka = b.kafkaSettings();
    this.defaultTimeout = b.defaultTimeout;
    this.clock = b.clock;
    this.tracker = new StatusTracker(b.maxRememberedJobs);
    this.s3 = b.s3 == null ? null : s3Transfer(b.s3);
    try {
      this.producer = new KafkaProducer<>(kafka.producerProperties());
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
    this.sender =
        Executors.newSingleThreadExecutor(daemon(kafka.clientId() + "-send")); // send() may block
    // After close() the sender rejects tasks: run them inline, they only fail the job then.
    this.sendExecutor =
        task -> {
          try {
            sender.execute(task);
          } catch (RejectedExecutionException e) {
            task.run();
          }
        };
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon(kafka.clientId() + "-timeouts"));
    follower.ready().whenComplete((ok, failure) -> releaseWaiting());
    follower.start();
    timer.scheduleAtFixedRate(
        () -> tracker.expireOverdue(clock.instant()),
        TIMEOUT_CHECK.toMillis(),
        TIMEOUT_CHECK.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** A builder for a client of the given brokers ({@code host:port[,host:port]}). */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
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
      whenReady(() -> trySend(job));
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
    whenReady(
        () -> {
          Throwable cannot = closed ? closedBeforeSending(job) : readyFailure();
          if (cannot != null) {
            acked.completeExceptionally(cannot);
          } else if (!tracker.claimUntracked(job.jobId())) {
            acked.complete(false);
          } else {
            write(job)
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
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(kafka.jobsTopic(), jobId, codec.encode(request));
    record.headers().add(CancelRequest.HEADER, CancelRequest.TYPE.getBytes(StandardCharsets.UTF_8));
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              acked.completeExceptionally(
                  new InfrastructureException(
                      "cannot send the cancel request of " + jobId + ": " + error.getMessage(),
                      error));
            } else {
              acked.complete(null);
            }
          });
    } catch (KafkaException e) {
      acked.completeExceptionally(
          new InfrastructureException(
              "cannot send the cancel request of " + jobId + ": " + e.getMessage(), e));
    }
    return acked;
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
    sender.shutdown();
    try {
      if (!sender.awaitTermination(kafka.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      sender.shutdownNow();
      Thread.currentThread().interrupt();
    }
    try {
      producer.close(kafka.connectTimeout());
    } catch (KafkaException e) {
      LOG.debug("error closing the producer", e);
    }
    follower.close();
    timer.shutdownNow();
    tracker.failAll(new CancellationException("RenderClient closed before the job finished"));
    closeQuietly(s3);
  }

  /**
   * Runs a send task on the sender thread once the status consumer is ready (or failed), in
   * submission order: tasks that arrive before that wait in a FIFO queue.
   */
  private void whenReady(Runnable task) {
    synchronized (readyLock) {
      if (!readyFired) {
        waitingForReady.add(task);
        return;
      }
    }
    sendExecutor.execute(task);
  }

  private void releaseWaiting() {
    List<Runnable> tasks;
    synchronized (readyLock) {
      readyFired = true;
      tasks = new ArrayList<>(waitingForReady);
      waitingForReady.clear();
    }
    tasks.forEach(sendExecutor::execute);
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
    write(job)
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                tracker.sendFailed(job.jobId(), err);
              }
            });
  }

  /** Writes one job record; completes when Kafka acknowledged it (acks=all). */
  private CompletableFuture<Void> write(RenderJob job) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(kafka.jobsTopic(), job.jobId(), codec.encode(job)),
          (metadata, error) -> {
            if (error != null) {
              acked.completeExceptionally(
                  new InfrastructureException(
                      "cannot send job " + job.jobId() + ": " + error.getMessage(), error));
            } else {
              acked.complete(null);
            }
          });
    } catch (KafkaException e) {
      acked.completeExceptionally(
          new InfrastructureException("cannot send job " + job.jobId() + ": " + e.getMessage(), e));
    }
    return acked;
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
      throw new IllegalStateException("S3 is not configured: set RenderClient.Builder.s3(...)");
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

  /** Configures a {@link RenderClient}; every setting has a default except the brokers. */
  public static final class Builder {
    private final String bootstrapServers;
    private String jobsTopic = KafkaSettings.DEFAULT_JOBS_TOPIC;
    private String statusTopic = KafkaSettings.DEFAULT_STATUS_TOPIC;
    private String clientId = "pixart-producer";
    private Duration connectTimeout = KafkaSettings.DEFAULT_CONNECT_TIMEOUT;
    private final Map<String, String> kafkaProperties = new HashMap<>();
    private Duration defaultTimeout = Duration.ofMinutes(10);
    private Duration statusLookBack = Duration.ofMinutes(10);
    private int maxRememberedJobs = 100_000;
    private S3Settings s3;
    private Clock clock = Clock.systemUTC();

    private Builder(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
    }

    /** Topic the worker consumes jobs from (default {@value KafkaSettings#DEFAULT_JOBS_TOPIC}). */
    public Builder jobsTopic(String topic) {
      this.jobsTopic = topic;
      return this;
    }

    /** Topic of status events (default {@value KafkaSettings#DEFAULT_STATUS_TOPIC}). */
    public Builder statusTopic(String topic) {
      this.statusTopic = topic;
      return this;
    }

    /** Prefix of the Kafka client ids (default {@code pixart-producer}). */
    public Builder clientId(String id) {
      this.clientId = id;
      return this;
    }

    /** How long to wait for the broker before failing with {@link InfrastructureException}. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Extra Kafka client property for producer and consumer (e.g. security settings). */
    public Builder kafkaProperty(String key, String value) {
      this.kafkaProperties.put(key, value);
      return this;
    }

    /**
     * Default time from submission to terminal status before a future fails with {@link
     * JobTimeoutException} (default 10 min).
     */
    public Builder defaultTimeout(Duration timeout) {
      this.defaultTimeout = timeout;
      return this;
    }

    /**
     * How far back the status consumer (and the jobs-topic duplicate check) reads at start-up
     * (default 10 min; zero = from now on). Longer look-backs let a restarted client recognise
     * older jobs, at the cost of reading more at start-up.
     */
    public Builder statusLookBack(Duration lookBack) {
      this.statusLookBack = lookBack;
      return this;
    }

    /** How many finished or foreign jobs' last status events are remembered (default 100,000). */
    public Builder maxRememberedJobs(int max) {
      this.maxRememberedJobs = max;
      return this;
    }

    /**
     * Object-store access for control uploads and downloads; without it those methods throw. Needs
     * {@code software.amazon.awssdk:s3} on the classpath (an optional dependency of this library).
     */
    public Builder s3(S3Settings settings) {
      this.s3 = settings;
      return this;
    }

    /** Clock for submission stamps, deadlines and the look-back (tests). */
    public Builder clock(Clock newClock) {
      this.clock = Objects.requireNonNull(newClock, "clock");
      return this;
    }

    KafkaSettings kafkaSettings() {
      return new KafkaSettings(
          bootstrapServers, jobsTopic, statusTopic, clientId, connectTimeout, kafkaProperties);
    }

    /**
     * Validates the settings, creates the Kafka clients and starts the status consumer (it connects
     * in the background; see {@link RenderClient#ready()}).
     */
    public RenderClient build() {
      kafkaSettings(); // validates
      requirePositive("defaultTimeout", defaultTimeout);
      Objects.requireNonNull(statusLookBack, "statusLookBack");
      if (statusLookBack.isNegative()) {
        throw new IllegalArgumentException("statusLookBack: must be >= 0, got " + statusLookBack);
      }
      if (maxRememberedJobs < 1) {
        throw new IllegalArgumentException(
            "maxRememberedJobs: must be >= 1, got " + maxRememberedJobs);
      }
      return new RenderClient(this);
    }

    private static void requirePositive(String field, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + ": must be positive, got " + d);
      }
    }
  }
}
