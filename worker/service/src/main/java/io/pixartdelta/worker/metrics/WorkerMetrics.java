package io.pixartdelta.worker.metrics;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetricsPublisher;
import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.batch.BatchKey;
import io.pixartdelta.worker.kafka.DeadLetterPublisher;
import io.pixartdelta.worker.kafka.JobConsumerLoop;
import io.pixartdelta.worker.render.RenderOutcome;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.render.StageMillis;
import io.pixartdelta.worker.render.StatusSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's meters and the mapping from its own records to them. Names are Micrometer dotted
 * names (Prometheus shows {@code pixart.jobs.completed} as {@code pixart_jobs_completed_total});
 * durations are in seconds. Tags stay low-cardinality: outcome, error code, stage, resolution
 * class, step count — never job ids, prompts or exact sizes.
 *
 * <p>Most meters are fed without touching the plumbing: {@link #meter(StatusSink)} sees every
 * status event (outcomes, per-job stage times, end-to-end latency) and {@link #meter(Renderer)}
 * every renderer call (batch sizes and the model's stage times); counters kept by the consumer loop
 * and the S3 store's resilience objects are bound as functions.
 */
public final class WorkerMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerMetrics.class);

  /** Job records handed to the worker by the consumer (counter). */
  public static final String JOBS_RECEIVED = "pixart.jobs.received";

  /**
   * Jobs whose terminal status event was acknowledged (counter); tags {@code outcome} (succeeded,
   * failed, expired, cancelled) and {@code code} (the error code, {@code none} on success).
   */
  public static final String JOBS_COMPLETED = "pixart.jobs.completed";

  /**
   * Unreadable job messages handled by the dead-letter publisher (counter); tags {@code code} and
   * {@code copy}: {@code full}, {@code truncated} (the whole copy was refused), {@code none} (even
   * the truncated copy failed; the message is only in the worker's log).
   */
  public static final String JOBS_DEAD_LETTERED = "pixart.jobs.dead.lettered";

  /** Jobs accepted and not yet finished: queued, rendering or uploading (gauge). */
  public static final String JOBS_IN_FLIGHT = "pixart.jobs.in.flight";

  /** Images stored by succeeded jobs (counter): the fleet's images per second. */
  public static final String IMAGES_STORED = "pixart.images.stored";

  /** From the job's submission (producer clock) to its terminal event (timer); tag outcome. */
  public static final String JOB_LATENCY = "pixart.job.latency";

  /** Per-job stage times of succeeded jobs (timer); tag {@code stage}: queue, encode, upload. */
  public static final String JOB_STAGE = "pixart.job.stage";

  /** Items per renderer call (distribution summary); tags resolution, steps, control. */
  public static final String BATCH_SIZE = "pixart.batch.size";

  /**
   * The model's stage times per batch (timer); tag {@code stage}: text_encode (tokenizer + T5),
   * denoise, decode (VAE).
   */
  public static final String BATCH_STAGE = "pixart.batch.stage";

  /** Wall time of one renderer call (timer); tag {@code result}: ok, error (the call threw). */
  public static final String BATCH_RENDER = "pixart.batch.render";

  /** Time until the status topic acknowledged an event (timer); tags state, result. */
  public static final String STATUS_PUBLISH = "pixart.status.publish";

  /** Successful offset commits (counter). */
  public static final String KAFKA_COMMITS = "pixart.kafka.commits";

  /** Partitions of the jobs topic assigned to this worker (gauge). */
  public static final String PARTITIONS_ASSIGNED = "pixart.kafka.partitions.assigned";

  /** Assigned partitions paused by back-pressure or the drain (gauge). */
  public static final String PARTITIONS_PAUSED = "pixart.kafka.partitions.paused";

  /** Age of the job that has waited longest for a batch, 0 when none waits (gauge, seconds). */
  public static final String QUEUE_OLDEST_AGE = "pixart.queue.oldest.age";

  /**
   * Always 1, tagged with the worker's version and model (gauge; Prometheus reserves {@code
   * _info}).
   */
  public static final String WORKER_INFO = "pixart.worker.build";

  /** Error-code tag value of events without an error. */
  static final String NO_CODE = "none";

  /** Error-code tag value of codes outside {@link ErrorCodes} (keeps the tag bounded). */
  static final String OTHER_CODE = "other";

  private static final Duration[] STAGE_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120)
  };

  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(20),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120),
    Duration.ofSeconds(300),
    Duration.ofSeconds(600),
    Duration.ofSeconds(1800)
  };

  private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64};

  private final MeterRegistry registry;
  private final List<KafkaClientMetrics> binders = new ArrayList<>();

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The registry the meters live in. */
  public MeterRegistry registry() {
    return registry;
  }

  /** {@code sink}, counting and timing every event it publishes. */
  public StatusSink meter(StatusSink sink) {
    return new MeteredStatusSink(sink, this);
  }

  /** {@code renderer}, measuring every batch it renders. */
  public Renderer meter(Renderer renderer) {
    return new MeteredRenderer(renderer, this);
  }

  /**
   * Records a status event once the status topic acknowledged (or refused) it. Never throws: a
   * metrics problem must not fail a job.
   */
  void statusPublished(StatusEvent event, long nanos, boolean acknowledged) {
    try {
      recordStatus(event, nanos, acknowledged);
    } catch (RuntimeException e) {
      LOG.warn("recording metrics of a {} event failed", event.state(), e);
    }
  }

  private void recordStatus(StatusEvent event, long nanos, boolean acknowledged) {
    Timer.builder(STATUS_PUBLISH)
        .description("Time until the status topic acknowledged an event")
        .tags("state", tagValue(event.state()), "result", acknowledged ? "ok" : "error")
        .serviceLevelObjectives(STAGE_BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (acknowledged && event.state().isTerminal()) {
      jobFinished(event);
    }
  }

  /** Counts a job's acknowledged terminal event and records its per-job times. */
  private void jobFinished(StatusEvent event) {
    String outcome = tagValue(event.state());
    ErrorInfo error = event.error();
    Counter.builder(JOBS_COMPLETED)
        .description("Jobs whose terminal status event was acknowledged")
        .tags("outcome", outcome, "code", error == null ? NO_CODE : codeTag(error.code()))
        .register(registry)
        .increment();
    if (event.submittedAt() != null && event.finishedAt() != null) {
      Duration latency = Duration.between(event.submittedAt(), event.finishedAt());
      if (!latency.isNegative()) { // producer clock ahead of ours: no meaningful value
        Timer.builder(JOB_LATENCY)
            .description("From job submission to its terminal event")
            .tag("outcome", outcome)
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry)
            .record(latency);
      }
    }
    if (event.state() == JobState.SUCCEEDED) {
      Counter.builder(IMAGES_STORED)
          .description("Images stored by succeeded jobs")
          .register(registry)
          .increment(event.results() == null ? 0 : event.results().size());
      StageTimings t = event.timings();
      if (t != null) {
        jobStage("queue", t.queueWaitMs());
        jobStage("encode", t.encodeMs());
        jobStage("upload", t.uploadMs());
      }
    }
  }

  private void jobStage(String stage, Long millis) {
    if (millis != null) {
      stageTimer(JOB_STAGE, stage).record(millis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Records one renderer call of {@code size} items keyed {@code key}; {@code outcomes} is null if
   * the call threw. The model's stage times are per batch, so they are taken once, from the first
   * successful outcome. Never throws.
   */
  void batchRendered(BatchKey key, int size, List<RenderOutcome> outcomes, long nanos) {
    try {
      recordBatch(key, size, outcomes, nanos);
    } catch (RuntimeException e) {
      LOG.warn("recording metrics of a batch failed", e);
    }
  }

  private void recordBatch(BatchKey key, int size, List<RenderOutcome> outcomes, long nanos) {
    Timer.builder(BATCH_RENDER)
        .description("Wall time of one renderer call")
        .tag("result", outcomes == null ? "error" : "ok")
        .serviceLevelObjectives(STAGE_BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (outcomes == null) {
      return;
    }
    DistributionSummary.builder(BATCH_SIZE)
        .description("Items per renderer call")
        .tags(ShapeClass.of(key))
        .serviceLevelObjectives(BATCH_SIZE_BUCKETS)
        .register(registry)
        .record(size);
    for (RenderOutcome outcome : outcomes) {
      if (outcome.succeeded()) {
        StageMillis t = outcome.timings();
        stageTimer(BATCH_STAGE, "text_encode").record(t.textEncodeMs(), TimeUnit.MILLISECONDS);
        stageTimer(BATCH_STAGE, "denoise").record(t.denoiseMs(), TimeUnit.MILLISECONDS);
        stageTimer(BATCH_STAGE, "decode").record(t.decodeMs(), TimeUnit.MILLISECONDS);
        return;
      }
    }
  }

  private Timer stageTimer(String name, String stage) {
    return Timer.builder(name)
        .description(
            name.equals(BATCH_STAGE)
                ? "The model's stage times per batch"
                : "Per-job stage times of succeeded jobs")
        .tag("stage", stage)
        .serviceLevelObjectives(STAGE_BUCKETS)
        .register(registry);
  }

  /**
   * Counts an unreadable message with error {@code code} and what reached the dead-letter topic.
   * Never throws: it runs inside the send's completion.
   */
  public void deadLettered(String code, DeadLetterPublisher.Copy copy) {
    try {
      Counter.builder(JOBS_DEAD_LETTERED)
          .description("Unreadable job messages, by what reached the dead-letter topic")
          .tag("code", codeTag(code))
          .tag("copy", copy.tag())
          .register(registry)
          .increment();
    } catch (RuntimeException e) {
      LOG.warn("recording a dead letter failed", e);
    }
  }

  /** Received records, commits and partition gauges from the consumer loop. */
  public void bindConsumerLoop(JobConsumerLoop loop) {
    FunctionCounter.builder(JOBS_RECEIVED, loop, JobConsumerLoop::recordsReceived)
        .description("Job records handed to the worker")
        .register(registry);
    FunctionCounter.builder(KAFKA_COMMITS, loop, JobConsumerLoop::commits)
        .description("Successful offset commits")
        .register(registry);
    Gauge.builder(PARTITIONS_ASSIGNED, loop, l -> l.assignment().size())
        .description("Partitions of the jobs topic assigned to this worker")
        .register(registry);
    Gauge.builder(PARTITIONS_PAUSED, loop, JobConsumerLoop::pausedPartitions)
        .description("Assigned partitions paused by back-pressure or the drain")
        .register(registry);
  }

  /** The in-flight gauge, read from {@code pending}. */
  public void bindInFlight(IntSupplier pending) {
    Gauge.builder(JOBS_IN_FLIGHT, pending, IntSupplier::getAsInt)
        .description("Jobs accepted and not yet finished")
        .strongReference(true) // often a method reference nobody else holds
        .register(registry);
  }

  /** The oldest-queued-job gauge, read from {@code age}. */
  public void bindOldestQueued(Supplier<Duration> age) {
    Gauge.builder(QUEUE_OLDEST_AGE, age, a -> a.get().toNanos() / 1e9)
        .description("Age of the job that has waited longest for a batch, 0 when none waits")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
  }

  /** The info gauge: 1, tagged {@code version} (the worker's) and {@code model}. */
  public void registerInfo(String version, String modelId) {
    Gauge.builder(WORKER_INFO, () -> 1)
        .description("Always 1; tagged with the worker's version and model")
        .tags("version", version, "model", modelId)
        .strongReference(true)
        .register(registry);
  }

  /**
   * Registers the event-driven meters an idle worker has not fed yet, at zero, so that alerts on
   * their absence only fire when the worker is really gone.
   */
  public void registerIdleMeters() {
    Counter.builder(JOBS_COMPLETED)
        .description("Jobs whose terminal status event was acknowledged")
        .tags("outcome", tagValue(JobState.SUCCEEDED), "code", NO_CODE)
        .register(registry);
    Counter.builder(IMAGES_STORED)
        .description("Images stored by succeeded jobs")
        .register(registry);
    Timer.builder(BATCH_RENDER)
        .description("Wall time of one renderer call")
        .tag("result", "ok")
        .serviceLevelObjectives(STAGE_BUCKETS)
        .register(registry);
    for (String stage : List.of("queue", "encode", "upload")) {
      stageTimer(JOB_STAGE, stage);
    }
    for (String stage : List.of("text_encode", "denoise", "decode")) {
      stageTimer(BATCH_STAGE, stage);
    }
  }

  /**
   * Resilience4j's own meters for the S3 store: {@code resilience4j.circuitbreaker.state} (1 on the
   * current state), calls and failure rate, and {@code resilience4j.retry.calls} by kind
   * (successful/failed, with/without retry).
   */
  public void bindS3(CircuitBreaker breaker, Retry retry) {
    new TaggedCircuitBreakerMetricsPublisher(registry).publishMetrics(breaker);
    new TaggedRetryMetricsPublisher(registry).publishMetrics(retry);
  }

  /**
   * Kafka's client metrics ({@code kafka.consumer.*}, {@code kafka.producer.*}) for the job
   * consumer and the status producer, removed again by {@link #close()}. Reading them is
   * thread-safe: the binder only calls {@code metrics()}.
   */
  public void bindKafkaClients(Consumer<?, ?> consumer, Producer<?, ?> producer) {
    KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
    consumerMetrics.bindTo(registry);
    binders.add(consumerMetrics);
    KafkaClientMetrics producerMetrics = new KafkaClientMetrics(producer);
    producerMetrics.bindTo(registry);
    binders.add(producerMetrics);
  }

  /** The {@code code} tag value: a known error code, else {@code other}. */
  static String codeTag(String code) {
    return code != null && ErrorCodes.isKnown(code) ? code : OTHER_CODE;
  }

  private static String tagValue(JobState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  /** Stops the Kafka binders' refresh threads and removes their meters. */
  @Override
  public void close() {
    binders.forEach(KafkaClientMetrics::close);
    binders.clear();
  }
}
