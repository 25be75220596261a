package io.pixartdelta.worker.app;

import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.render.ParameterEmbedding;
import io.pixartdelta.worker.render.RendererFactory;
import io.pixartdelta.worker.storage.BucketAllowList;
import io.pixartdelta.worker.storage.S3Settings;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting of the worker, validated, immutable.
 *
 * <p>Built by {@link #load} from, in increasing precedence: the defaults of {@link OptionKey}, an
 * optional properties file, {@code PIXART_*} environment variables (Kafka client properties as
 * {@code PIXART_KAFKA_CLIENT_*}, see {@link OptionKey#KAFKA_CLIENT_ENV_PREFIX}) and command-line
 * overrides. Unknown keys in the file or the overrides are errors (typos should not pass silently);
 * so are malformed values, with a message naming the option.
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
    S3Settings s3,
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
      if (device == null || !device.matches("cpu|gpu(:\\d+)?")) {
        throw invalid(OptionKey.MODEL_DEVICE, device, "cpu, gpu or gpu:N");
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

    /** The precision the renderer runs: {@code auto} is fp16 on a GPU and fp32 on the CPU. */
    public String resolvedDtype() {
      if (!"auto".equals(dtype)) {
        return dtype;
      }
      return device.startsWith("gpu") ? "fp16" : "fp32";
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

  /** Options from the defaults alone (no file, no environment, no overrides). */
  public static WorkerOptions defaults() {
    return load(null, Map.of(), Map.of());
  }

  /**
   * Merges the sources and validates the result.
   *
   * @param configFile a properties file, or null
   * @param environment the process environment (only {@code PIXART_*} variables are read)
   * @param overrides command-line values by key (highest precedence)
   * @throws OptionsException naming the first bad option
   */
  public static WorkerOptions load(
      Path configFile, Map<String, String> environment, Map<String, String> overrides) {
    Map<String, String> values = new TreeMap<>();
    for (OptionKey option : OptionKey.values()) {
      values.put(option.key(), option.defaultValue());
    }
    if (configFile != null) {
      putChecked(values, readProperties(configFile), "config file " + configFile);
    }
    for (OptionKey option : OptionKey.values()) {
      String value = environment.get(option.envName());
      if (value != null) {
        values.put(option.key(), value.trim());
      }
    }
    for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
      String clientKey = OptionKey.kafkaClientKeyOfEnv(variable.getKey());
      if (clientKey != null) {
        values.put(clientKey, variable.getValue().trim());
      }
    }
    putChecked(values, overrides, "command line");
    return fromValues(values);
  }

  /** A copy pointing at embedded services (the quick start). */
  public WorkerOptions withEmbeddedServices(
      String bootstrapServers, URI s3Endpoint, String accessKey, String secretKey) {
    KafkaOptions k = kafka;
    KafkaOptions newKafka =
        new KafkaOptions(
            bootstrapServers,
            k.groupId(),
            k.groupProtocol(),
            k.jobsTopic(),
            k.statusTopic(),
            k.deadLetterTopic(),
            k.topicPartitions(),
            k.maxPollRecords(),
            k.pollTimeout(),
            k.deliveryTimeout(),
            k.clientProperties());
    S3Settings newS3 =
        new S3Settings(
            s3Endpoint,
            s3.region(),
            true,
            accessKey,
            secretKey,
            S3Settings.ChecksumMode.WHEN_SUPPORTED,
            S3Settings.ChecksumMode.WHEN_SUPPORTED,
            s3.sdkMaxAttempts(),
            s3.callTimeout(),
            s3.retry(),
            s3.breaker(),
            s3.allowList());
    return new WorkerOptions(workerId, newKafka, service, output, newS3, model, embedded);
  }

  private static void putChecked(
      Map<String, String> values, Map<String, String> source, String origin) {
    for (Map.Entry<String, String> entry : source.entrySet()) {
      String key = entry.getKey().trim();
      if (OptionKey.byKey(key) == null && !key.startsWith(OptionKey.KAFKA_CLIENT_PREFIX)) {
        throw new OptionsException("unknown option '" + key + "' in " + origin);
      }
      values.put(key, entry.getValue() == null ? "" : entry.getValue().trim());
    }
  }

  private static Map<String, String> readProperties(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new OptionsException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      result.put(name, properties.getProperty(name));
    }
    return result;
  }

  private static WorkerOptions fromValues(Map<String, String> v) {
    Values values = new Values(v);
    Map<String, String> clientProperties = new TreeMap<>();
    for (Map.Entry<String, String> entry : v.entrySet()) {
      if (entry.getKey().startsWith(OptionKey.KAFKA_CLIENT_PREFIX)) {
        clientProperties.put(
            entry.getKey().substring(OptionKey.KAFKA_CLIENT_PREFIX.length()), entry.getValue());
      }
    }
    KafkaOptions kafka =
        new KafkaOptions(
            values.text(OptionKey.KAFKA_BOOTSTRAP_SERVERS),
            values.text(OptionKey.KAFKA_GROUP_ID),
            values.text(OptionKey.KAFKA_GROUP_PROTOCOL),
            values.text(OptionKey.KAFKA_JOBS_TOPIC),
            values.text(OptionKey.KAFKA_STATUS_TOPIC),
            values.text(OptionKey.KAFKA_DEAD_LETTER_TOPIC),
            values.integer(OptionKey.KAFKA_TOPIC_PARTITIONS),
            values.integer(OptionKey.KAFKA_MAX_POLL_RECORDS),
            values.duration(OptionKey.KAFKA_POLL_TIMEOUT),
            values.duration(OptionKey.KAFKA_DELIVERY_TIMEOUT),
            clientProperties);
    ServiceOptions service;
    try {
      service =
          new ServiceOptions(
              new BatchPolicy(
                  values.integer(OptionKey.MAX_BATCH_SIZE),
                  values.duration(OptionKey.MAX_WAIT),
                  values.longValue(OptionKey.MAX_BATCH_PIXELS)),
              values.integer(OptionKey.MAX_QUEUED_JOBS),
              values.integer(OptionKey.UPLOAD_THREADS),
              values.duration(OptionKey.DRAIN_TIMEOUT),
              values.longValue(OptionKey.MAX_CONTROL_IMAGE_BYTES),
              values.longValue(OptionKey.MAX_CONTROL_IMAGE_PIXELS),
              values.longValue(OptionKey.CONTROL_IMAGE_MEMORY),
              values.duration(OptionKey.UPLOAD_OUTAGE_WAIT));
    } catch (IllegalArgumentException e) {
      throw new OptionsException(
          OptionKey.MAX_BATCH_SIZE.key() + "/" + OptionKey.MAX_WAIT.key() + ": " + e.getMessage(),
          e);
    }
    OutputOptions output =
        new OutputOptions(
            values.text(OptionKey.OUTPUT_DEFAULT_BUCKET),
            values.text(OptionKey.OUTPUT_DEFAULT_PREFIX),
            values.integer(OptionKey.OUTPUT_PNG_COMPRESSION),
            new ParameterEmbedding(
                values.bool(OptionKey.OUTPUT_EMBED_PARAMETERS),
                values.text(OptionKey.OUTPUT_PRIVATE_METADATA_KEY)));
    Set<String> allowed = new LinkedHashSet<>();
    for (String bucket : values.text(OptionKey.OUTPUT_ALLOWED_BUCKETS).split(",")) {
      if (!bucket.isBlank()) {
        allowed.add(bucket.trim());
      }
    }
    if (allowed.isEmpty()) {
      allowed.add(output.defaultBucket());
    }
    S3Settings s3 = s3Settings(values, allowed);
    String modelDir = values.text(OptionKey.MODEL_DIR);
    ModelOptions model =
        new ModelOptions(
            values.text(OptionKey.RENDERER),
            modelDir.isEmpty() ? null : Path.of(modelDir),
            values.text(OptionKey.MODEL_DEVICE),
            values.text(OptionKey.MODEL_DTYPE),
            optionalPath(values.text(OptionKey.MODEL_CONTROLNET)),
            optionalPath(values.text(OptionKey.MODEL_HED)),
            values.bool(OptionKey.MODEL_T5_INT8),
            values.text(OptionKey.MODEL_RANDOM_WEIGHTS).isBlank()
                ? null
                : values.text(OptionKey.MODEL_RANDOM_WEIGHTS).trim());
    EmbeddedOptions embedded =
        new EmbeddedOptions(
            values.bool(OptionKey.EMBEDDED),
            Path.of(values.text(OptionKey.EMBEDDED_DATA_DIR)),
            values.integer(OptionKey.EMBEDDED_KAFKA_PORT),
            values.integer(OptionKey.EMBEDDED_S3_PORT));
    String workerId = values.text(OptionKey.WORKER_ID);
    return new WorkerOptions(
        workerId.isEmpty() ? defaultWorkerId() : workerId,
        kafka,
        service,
        output,
        s3,
        model,
        embedded);
  }

  private static S3Settings s3Settings(Values values, Set<String> allowed) {
    String endpoint = values.text(OptionKey.S3_ENDPOINT);
    String accessKey = values.text(OptionKey.S3_ACCESS_KEY);
    String secretKey = values.text(OptionKey.S3_SECRET_KEY);
    if (accessKey.isEmpty() != secretKey.isEmpty()) {
      throw new OptionsException("s3.access-key and s3.secret-key must be set together");
    }
    URI endpointUri = null;
    if (!endpoint.isEmpty()) {
      try {
        endpointUri = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        throw invalid(OptionKey.S3_ENDPOINT, endpoint, "a URI such as http://host:9000");
      }
      if (endpointUri.getScheme() == null || endpointUri.getHost() == null) {
        throw invalid(OptionKey.S3_ENDPOINT, endpoint, "a URI such as http://host:9000");
      }
    }
    try {
      return new S3Settings(
          endpointUri,
          values.text(OptionKey.S3_REGION),
          values.bool(OptionKey.S3_PATH_STYLE),
          accessKey.isEmpty() ? null : accessKey,
          secretKey.isEmpty() ? null : secretKey,
          values.checksum(OptionKey.S3_REQUEST_CHECKSUM),
          values.checksum(OptionKey.S3_RESPONSE_CHECKSUM),
          values.integer(OptionKey.S3_SDK_MAX_ATTEMPTS),
          values.duration(OptionKey.S3_CALL_TIMEOUT),
          new S3Settings.RetrySettings(
              values.integer(OptionKey.S3_RETRY_ATTEMPTS),
              values.duration(OptionKey.S3_RETRY_INITIAL_BACKOFF),
              values.duration(OptionKey.S3_RETRY_MAX_BACKOFF)),
          new S3Settings.BreakerSettings(
              values.integer(OptionKey.S3_BREAKER_WINDOW),
              values.integer(OptionKey.S3_BREAKER_MIN_CALLS),
              values.integer(OptionKey.S3_BREAKER_FAILURE_RATE),
              values.duration(OptionKey.S3_BREAKER_OPEN_DURATION)),
          new BucketAllowList(allowed));
    } catch (OptionsException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new OptionsException("s3 options: " + e.getMessage(), e);
    }
  }

  private static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "worker";
    }
    String id = (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9._:@-]", "-");
    return id.length() > 128 ? id.substring(0, 128) : id;
  }

  private static void requireText(OptionKey option, String value) {
    if (value == null || value.isBlank()) {
      throw new OptionsException(option.key() + " must not be empty");
    }
  }

  private static void requireTopic(OptionKey option, String value) {
    if (value == null || !value.matches("[A-Za-z0-9._-]{1,249}")) {
      throw invalid(option, value, "a topic name of [A-Za-z0-9._-]");
    }
  }

  private static void requireRange(OptionKey option, long value, long min, long max) {
    if (value < min || value > max) {
      throw invalid(option, Long.toString(value), min + ".." + max);
    }
  }

  private static void requirePositive(OptionKey option, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw invalid(option, String.valueOf(value), "a positive duration");
    }
  }

  private static OptionsException invalid(OptionKey option, String value, String expected) {
    return new OptionsException(
        option.key()
            + " (env "
            + option.envName()
            + ") must be "
            + expected
            + ", got '"
            + value
            + "'");
  }

  /** Typed access to the merged text values. */
  private static Path optionalPath(String text) {
    return text.isEmpty() ? null : Path.of(text);
  }

  private record Values(Map<String, String> values) {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    String text(OptionKey option) {
      return values.getOrDefault(option.key(), "");
    }

    int integer(OptionKey option) {
      String text = text(option);
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw invalid(option, text, "an integer");
      }
    }

    long longValue(OptionKey option) {
      String text = text(option);
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw invalid(option, text, "an integer");
      }
    }

    boolean bool(OptionKey option) {
      String text = text(option);
      if ("true".equalsIgnoreCase(text)) {
        return true;
      }
      if ("false".equalsIgnoreCase(text)) {
        return false;
      }
      throw invalid(option, text, "true or false");
    }

    Duration duration(OptionKey option) {
      String text = text(option);
      Matcher m = DURATION.matcher(text);
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        };
      }
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw invalid(option, text, "a duration such as 250ms, 30s, 2m or PT30S");
      }
    }

    S3Settings.ChecksumMode checksum(OptionKey option) {
      String text = text(option);
      return switch (text) {
        case "when-supported" -> S3Settings.ChecksumMode.WHEN_SUPPORTED;
        case "when-required" -> S3Settings.ChecksumMode.WHEN_REQUIRED;
        default -> throw invalid(option, text, "when-supported or when-required");
      };
    }
  }
}
