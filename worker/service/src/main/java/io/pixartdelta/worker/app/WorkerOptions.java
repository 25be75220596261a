package io.pixartdelta.worker.app;

import static io.pixartdelta.worker.app.OptionChecks.invalid;
import static io.pixartdelta.worker.app.OptionChecks.requirePositive;
import static io.pixartdelta.worker.app.OptionChecks.requireRange;
import static io.pixartdelta.worker.app.OptionChecks.requireText;
import static io.pixartdelta.worker.app.OptionChecks.requireTopic;

import io.pixartdelta.common.ChecksumMode;
import io.pixartdelta.common.S3Connection;
import io.pixartdelta.pixart.cli.Devices;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.render.ParameterEmbedding;
import io.pixartdelta.worker.render.RendererFactory;
import io.pixartdelta.worker.storage.S3StoreSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of the worker, validated, immutable. {@link WorkerOptionsLoader} merges them from
 * the defaults, a properties file, the environment and the command line.
 *
 * @param workerId worker id in status events and metadata
 * @param kafka Kafka connection and topics
 * @param service batching, queue and shutdown settings
 * @param output default output location and encoding
 * @param s3 S3 connection, resilience and allow-list
 * @param model renderer choice and model settings
 * @param embedded in-process Kafka + S3 settings
 */
public record WorkerOptions(
    String workerId,
    KafkaOptions kafka,
    ServiceOptions service,
    OutputOptions output,
    S3StoreSettings s3,
    ModelOptions model,
    EmbeddedOptions embedded) {

  public WorkerOptions {
    if (workerId == null || !workerId.matches("[A-Za-z0-9._:@-]{1,128}")) {
      throw new OptionsException(
          OptionKey.WORKER_ID.key()
              + " must be 1..128 of [A-Za-z0-9._:@-], got '"
              + workerId
              + "'");
    }
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(s3, "s3");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(embedded, "embedded");
    if (!s3.allowList().allows(output.defaultBucket())) {
      throw new OptionsException(
          OptionKey.OUTPUT_ALLOWED_BUCKETS.key()
              + " must contain "
              + OptionKey.OUTPUT_DEFAULT_BUCKET.key()
              + " '"
              + output.defaultBucket()
              + "'");
    }
  }

  /**
   * Kafka connection and topics.
   *
   * @param bootstrapServers bootstrap servers
   * @param groupId consumer group
   * @param groupProtocol {@code consumer} or {@code classic}
   * @param jobsTopic jobs in
   * @param statusTopic status events out
   * @param deadLetterTopic unreadable jobs out
   * @param topicPartitions partitions of topics the embedded mode creates
   * @param maxPollRecords records per poll
   * @param pollTimeout longest wait in one poll
   * @param deliveryTimeout producer delivery timeout
   * @param clientProperties pass-through client properties (without the {@code kafka.client.}
   *     prefix)
   */
  public record KafkaOptions(
      String bootstrapServers,
      String groupId,
      String groupProtocol,
      String jobsTopic,
      String statusTopic,
      String deadLetterTopic,
      int topicPartitions,
      int maxPollRecords,
      Duration pollTimeout,
      Duration deliveryTimeout,
      Map<String, String> clientProperties) {
    public KafkaOptions {
      requireText(OptionKey.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
      requireText(OptionKey.KAFKA_GROUP_ID, groupId);
      if (!"consumer".equals(groupProtocol) && !"classic".equals(groupProtocol)) {
        throw invalid(OptionKey.KAFKA_GROUP_PROTOCOL, groupProtocol, "consumer or classic");
      }
      requireTopic(OptionKey.KAFKA_JOBS_TOPIC, jobsTopic);
      requireTopic(OptionKey.KAFKA_STATUS_TOPIC, statusTopic);
      requireTopic(OptionKey.KAFKA_DEAD_LETTER_TOPIC, deadLetterTopic);
      if (new LinkedHashSet<>(Arrays.asList(jobsTopic, statusTopic, deadLetterTopic)).size() != 3) {
        throw new OptionsException(
            "kafka.jobs-topic, kafka.status-topic and kafka.dead-letter-topic must differ");
      }
      requireRange(OptionKey.KAFKA_TOPIC_PARTITIONS, topicPartitions, 1, 1000);
      requireRange(OptionKey.KAFKA_MAX_POLL_RECORDS, maxPollRecords, 1, 10_000);
      requirePositive(OptionKey.KAFKA_POLL_TIMEOUT, pollTimeout);
      requirePositive(OptionKey.KAFKA_DELIVERY_TIMEOUT, deliveryTimeout);
      clientProperties = Map.copyOf(clientProperties);
    }

    /** A copy with other bootstrap servers. */
    public KafkaOptions withBootstrapServers(String servers) {
      return new KafkaOptions(
          servers,
          groupId,
          groupProtocol,
          jobsTopic,
          statusTopic,
          deadLetterTopic,
          topicPartitions,
          maxPollRecords,
          pollTimeout,
          deliveryTimeout,
          clientProperties);
    }
  }

  /**
   * The render service.
   *
   * @param batch micro-batch closing rule
   * @param maxQueuedJobs local jobs at which the consumer pauses
   * @param uploadThreads encode + upload threads
   * @param drainTimeout shutdown drain limit
   * @param maxControlImageBytes largest control image
   * @param maxControlImagePixels largest control image, width · height
   * @param controlImageMemory decoded control images held at once, bytes
   * @param uploadOutageWait how long a rendered job waits out an S3 outage
   */
  public record ServiceOptions(
      BatchPolicy batch,
      int maxQueuedJobs,
      int uploadThreads,
      Duration drainTimeout,
      long maxControlImageBytes,
      long maxControlImagePixels,
      long controlImageMemory,
      Duration uploadOutageWait) {
    public ServiceOptions {
      Objects.requireNonNull(batch, "batch");
      requireRange(OptionKey.MAX_QUEUED_JOBS, maxQueuedJobs, 1, 100_000);
      if (maxQueuedJobs < batch.maxBatchSize()) {
        throw new OptionsException(
            OptionKey.MAX_QUEUED_JOBS.key()
                + " ("
                + maxQueuedJobs
                + ") must be >= "
                + OptionKey.MAX_BATCH_SIZE.key()
                + " ("
                + batch.maxBatchSize()
                + ")");
      }
      requireRange(OptionKey.UPLOAD_THREADS, uploadThreads, 1, 64);
      requirePositive(OptionKey.DRAIN_TIMEOUT, drainTimeout);
      if (maxControlImageBytes < 1) {
        throw invalid(
            OptionKey.MAX_CONTROL_IMAGE_BYTES,
            Long.toString(maxControlImageBytes),
            "a positive size");
      }
      if (maxControlImagePixels < 1) {
        throw invalid(
            OptionKey.MAX_CONTROL_IMAGE_PIXELS,
            Long.toString(maxControlImagePixels),
            "a positive pixel count");
      }
      if (controlImageMemory < 1) {
        throw invalid(
            OptionKey.CONTROL_IMAGE_MEMORY, Long.toString(controlImageMemory), "a positive size");
      }
    }
  }

  /**
   * Default output location and encoding.
   *
   * @param defaultBucket bucket for jobs that name none
   * @param defaultPrefix prefix for jobs that name none (may be empty)
   * @param pngCompressionLevel deflate level 0..9
   * @param parameterEmbedding whether and for which jobs images carry their parameters
   */
  public record OutputOptions(
      String defaultBucket,
      String defaultPrefix,
      int pngCompressionLevel,
      ParameterEmbedding parameterEmbedding) {
    public OutputOptions {
      requireText(OptionKey.OUTPUT_DEFAULT_BUCKET, defaultBucket);
      Objects.requireNonNull(defaultPrefix, "defaultPrefix");
      if (defaultPrefix.contains("..") || defaultPrefix.startsWith("/")) {
        throw invalid(
            OptionKey.OUTPUT_DEFAULT_PREFIX, defaultPrefix, "a relative prefix without '..'");
      }
      requireRange(OptionKey.OUTPUT_PNG_COMPRESSION, pngCompressionLevel, 0, 9);
      Objects.requireNonNull(parameterEmbedding, "parameterEmbedding");
    }
  }

  /**
   * Renderer choice and model settings.
   *
   * @param renderer renderer factory name
   * @param modelDir model folder, or null
   * @param device DJL device
   * @param dtype fp32, fp16 or auto (fp16 on a GPU, fp32 on the CPU)
   * @param controlnet ControlNet adapter folder or .pth, or null
   * @param hed HED weights, or null
   * @param t5Int8 the 8 GB mode: T5 weights as int8
   * @param randomWeights {@code real} or {@code tiny} random weights instead of a checkpoint, or
   *     null
   */
  public record ModelOptions(
      String renderer,
      Path modelDir,
      String device,
      String dtype,
      Path controlnet,
      Path hed,
      boolean t5Int8,
      String randomWeights) {
    public ModelOptions {
      requireText(OptionKey.RENDERER, renderer);
      if (device == null) {
        throw invalid(OptionKey.MODEL_DEVICE, null, DEVICES);
      }
      try {
        Devices.parse(device);
      } catch (IllegalArgumentException e) {
        throw invalid(OptionKey.MODEL_DEVICE, device, DEVICES);
      }
      if (!"fp32".equals(dtype) && !"fp16".equals(dtype) && !"auto".equals(dtype)) {
        throw invalid(OptionKey.MODEL_DTYPE, dtype, "fp32, fp16 or auto");
      }
      if (randomWeights != null && !randomWeights.matches("real|tiny")) {
        throw invalid(OptionKey.MODEL_RANDOM_WEIGHTS, randomWeights, "real, tiny or empty");
      }
      if (randomWeights != null && modelDir != null) {
        throw new OptionsException(
            OptionKey.MODEL_RANDOM_WEIGHTS.key()
                + " and "
                + OptionKey.MODEL_DIR.key()
                + " exclude each other: random weights replace the checkpoint");
      }
    }

    /** The device spellings the renderer's parser ({@link Devices}) accepts. */
    private static final String DEVICES = "cpu, gpu, gpu:N or cuda:N";

    /** The precision the renderer runs: {@code auto} is fp16 on a GPU and fp32 on the CPU. */
    public String resolvedDtype() {
      if (!"auto".equals(dtype)) {
        return dtype;
      }
      return Devices.parse(device).isGpu() ? "fp16" : "fp32";
    }

    /** The settings handed to the renderer factory. */
    public RendererFactory.Settings rendererSettings() {
      return new RendererFactory.Settings(
          modelDir, device, resolvedDtype(), controlnet, hed, t5Int8, randomWeights);
    }
  }

  /**
   * In-process Kafka and S3.
   *
   * @param enabled start them
   * @param dataDir data folder
   * @param kafkaPort Kafka port (0 = random)
   * @param s3Port S3 port (0 = random)
   */
  public record EmbeddedOptions(boolean enabled, Path dataDir, int kafkaPort, int s3Port) {
    public EmbeddedOptions {
      Objects.requireNonNull(dataDir, "dataDir");
      requireRange(OptionKey.EMBEDDED_KAFKA_PORT, kafkaPort, 0, 65535);
      requireRange(OptionKey.EMBEDDED_S3_PORT, s3Port, 0, 65535);
    }
  }

  /** A copy pointing at embedded services (the quick start): path-style, static credentials. */
  public WorkerOptions withEmbeddedServices(
      String bootstrapServers, URI s3Endpoint, String accessKey, String secretKey) {
    S3Connection embeddedS3 =
        s3.connection().toBuilder()
            .endpoint(s3Endpoint)
            .pathStyle(true)
            .credentials(accessKey, secretKey)
            .checksums(ChecksumMode.WHEN_SUPPORTED, ChecksumMode.WHEN_SUPPORTED)
            .build();
    return new WorkerOptions(
        workerId,
        kafka.withBootstrapServers(bootstrapServers),
        service,
        output,
        s3.withConnection(embeddedS3),
        model,
        embedded);
  }
}
