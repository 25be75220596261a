package io.pixartdelta.worker.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.worker.kafka.DeadLetterPublisher;
import io.pixartdelta.worker.kafka.JobConsumerLoop;
import io.pixartdelta.worker.kafka.JobDispatcher;
import io.pixartdelta.worker.kafka.StatusPublisher;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.metrics.GpuMemoryMeters;
import io.pixartdelta.worker.metrics.WorkerMetrics;
import io.pixartdelta.worker.render.RenderService;
import io.pixartdelta.worker.render.RenderSettings;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.render.StatusSink;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.S3ObjectStore;
import io.pixartdelta.worker.tracing.JobTraces;
import io.pixartdelta.worker.tracing.TracingStatusSink;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running worker: consumer loop thread, render service, status producer and object store, wired
 * from {@link WorkerOptions} and {@link WorkerConnections}. The {@link Renderer} belongs to the
 * caller.
 *
 * <p>Lifecycle: {@link #start} → RUNNING; {@link #shutdown()} drains (bounded by the drain timeout)
 * and closes the consumer; {@link #close()} also stops the render threads and closes the producer
 * and the store. A fatal error (a terminal status that cannot be published, a failed consumer)
 * starts the same shutdown and is reported by {@link #failure()}.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  private final WorkerOptions options;
  private final Producer<byte[], byte[]> producer;
  private final ObjectStore store;
  private final RenderService service;
  private final JobConsumerLoop loop;
  private final Thread loopThread;
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final WorkerMetrics metrics;

  private Worker(
      WorkerOptions options,
      Renderer renderer,
      Clock clock,
      MeterRegistry registry,
      WorkerConnections connections) {
    this.options = options;
    this.metrics = new WorkerMetrics(registry);
    WorkerOptions.KafkaOptions kafka = options.kafka();
    this.producer = connections.producer();
    this.store = connections.store();
    if (store instanceof S3ObjectStore s3) {
      metrics.bindS3(s3.circuitBreaker(), s3.retry());
    }
    JobTraces traces = new JobTraces();
    StatusSink status =
        TracingStatusSink.global(
            metrics.meter(
                new StatusPublisher(producer, kafka.statusTopic(), JsonCodec.shared(), traces)),
            traces);
    this.service =
        new RenderService(
            metrics.meter(renderer),
            store,
            status,
            new RenderSettings(
                options.workerId(),
                options.service().batch(),
                options.service().uploadThreads(),
                options.service().maxControlImageBytes(),
                options.service().maxControlImagePixels(),
                options.service().controlImageMemory(),
                options.output().defaultBucket(),
                options.output().defaultPrefix(),
                options.s3().allowList(),
                options.output().pngCompressionLevel(),
                options.service().uploadOutageWait(),
                options.output().parameterEmbedding()),
            clock,
            this::onFatal);
    JobDispatcher dispatcher =
        new JobDispatcher(
            JsonCodec.shared(),
            service,
            status,
            new DeadLetterPublisher(producer, kafka.deadLetterTopic(), metrics::deadLettered),
            options.workerId(),
            clock,
            this::onFatal,
            traces);
    Consumer<byte[], byte[]> consumer = connections.consumer();
    this.loop =
        new JobConsumerLoop(
            consumer,
            kafka.jobsTopic(),
            dispatcher,
            options.service().maxQueuedJobs(),
            kafka.pollTimeout(),
            options.service().drainTimeout());
    this.loopThread = new Thread(loop, "kafka-consumer");
    metrics.bindConsumerLoop(loop);
    metrics.bindInFlight(dispatcher::pending);
    metrics.bindOldestQueued(service::oldestQueuedAge);
    metrics.registerInfo(version(), renderer.modelId());
    metrics.registerIdleMeters();
    GpuMemoryMeters.bind(registry, options.model().rendererSettings().device());
    metrics.bindKafkaClients(consumer, producer);
  }

  /** Builds everything and starts consuming; its meters go to a private registry. */
  public static Worker start(WorkerOptions options, Renderer renderer) {
    return start(options, renderer, Clock.systemUTC());
  }

  /** As {@link #start(WorkerOptions, Renderer)} with an explicit clock (tests). */
  public static Worker start(WorkerOptions options, Renderer renderer, Clock clock) {
    return start(options, renderer, clock, new SimpleMeterRegistry());
  }

  /**
   * Connects to Kafka and S3 ({@link WorkerConnections#connect}), registers the worker's meters in
   * {@code registry} and starts consuming.
   */
  public static Worker start(
      WorkerOptions options, Renderer renderer, Clock clock, MeterRegistry registry) {
    Objects.requireNonNull(options, "options");
    return start(options, renderer, clock, registry, WorkerConnections.connect(options));
  }

  /**
   * Starts consuming with the given clients and store (owned by the worker from now on), and
   * registers the worker's meters in {@code registry}.
   */
  public static Worker start(
      WorkerOptions options,
      Renderer renderer,
      Clock clock,
      MeterRegistry registry,
      WorkerConnections connections) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(renderer, "renderer");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(connections, "connections");
    Worker worker = new Worker(options, renderer, clock, registry, connections);
    worker.loopThread.start();
    LOG.info(
        "worker {} started: model {}, topic {}, group {}",
        options.workerId(),
        renderer.modelId(),
        options.kafka().jobsTopic(),
        options.kafka().groupId());
    return worker;
  }

  private void onFatal(Throwable error) {
    if (fatal.compareAndSet(null, error)) {
      LOG.error("fatal error; stopping the worker", error);
      loop.shutdown();
    }
  }

  /** Requests a drain and stop; returns at once. */
  public void shutdown() {
    loop.shutdown();
  }

  /** Waits until the consumer loop has ended; false on timeout. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return loop.awaitClosed(timeout);
  }

  /** The worker's lifecycle state. */
  public WorkerState state() {
    return loop.state();
  }

  /** The consumer loop (assignment, counters). */
  public JobConsumerLoop consumerLoop() {
    return loop;
  }

  /** Jobs accepted and not yet finished. */
  public int pendingJobs() {
    return service.pending();
  }

  /** The first fatal error, or null. */
  public Throwable failure() {
    Throwable error = fatal.get();
    return error != null ? error : loop.failure();
  }

  /** The options it runs with. */
  public WorkerOptions options() {
    return options;
  }

  /** Drains (bounded by the drain timeout), then releases every resource except the renderer. */
  @Override
  public void close() {
    shutdown();
    try {
      Duration wait = options.service().drainTimeout().plusSeconds(15);
      if (!awaitTermination(wait)) {
        LOG.warn("consumer loop did not stop within {}", wait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    service.close();
    producer.close(Duration.ofSeconds(10));
    store.close();
    metrics.close();
    LOG.info("worker {} stopped", options.workerId());
  }

  /** The worker's version from its jar manifest; {@code dev} when run from classes. */
  private static String version() {
    String version = Worker.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
