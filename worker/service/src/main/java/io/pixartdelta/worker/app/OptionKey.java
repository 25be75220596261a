package io.pixartdelta.worker.app;

import java.util.Locale;

/**
 * Every worker option: its key (config file and {@code --set}), environment variable, default and
 * meaning. {@code worker/README.md} documents the same list (a test keeps them in step).
 */
public enum OptionKey {
  WORKER_ID(
      "worker.id",
      "",
      "Worker id in status events and object metadata; empty = host name + process id."),
  MAX_BATCH_SIZE(
      "worker.max-batch-size", "4", "A micro-batch closes when it holds this many jobs (1..64)."),
  MAX_BATCH_PIXELS(
      "worker.max-batch-pixels",
      "8388608",
      "Bound on render width x height x batch size, so large bins get smaller batches (0: none)."),
  MAX_WAIT(
      "worker.max-wait",
      "250ms",
      "A micro-batch also closes when its oldest job has waited this long."),
  MAX_QUEUED_JOBS(
      "worker.max-queued-jobs",
      "32",
      "Jobs held locally (queued, rendering, uploading); at this level the consumer pauses its partitions (keeps polling) and resumes at half."),
  UPLOAD_THREADS(
      "worker.upload-threads",
      "4",
      "Threads that encode and upload (one task per job) while the next batch renders."),
  DRAIN_TIMEOUT(
      "worker.drain-timeout",
      "30s",
      "On shutdown, time to finish queued and running jobs before exiting (uncommitted jobs are redelivered)."),
  UPLOAD_OUTAGE_WAIT(
      "worker.upload-outage-wait",
      "5m",
      "While S3 fails transiently a rendered job keeps retrying (the backlog fills, consumption pauses) this long before it fails with upload-failed."),
  MAX_CONTROL_IMAGE_BYTES(
      "worker.max-control-image-bytes", "8388608", "Largest control image accepted (bytes)."),
  MAX_CONTROL_IMAGE_PIXELS(
      "worker.max-control-image-pixels",
      "33554432",
      "Largest control image accepted (width x height, read from the header before decoding; larger ones fail with control-image-too-large)."),
  CONTROL_IMAGE_MEMORY(
      "worker.control-image-memory",
      "402653184",
      "Bytes of decoded control images (3 per pixel) that queued and running jobs may hold together; planning waits while it is spent."),

  KAFKA_BOOTSTRAP_SERVERS("kafka.bootstrap-servers", "localhost:9092", "Kafka bootstrap servers."),
  KAFKA_GROUP_ID("kafka.group-id", "pixart-workers", "Consumer group of the workers."),
  KAFKA_GROUP_PROTOCOL(
      "kafka.group-protocol",
      "consumer",
      "Rebalance protocol: consumer (KIP-848, Kafka 4.x brokers) or classic."),
  KAFKA_JOBS_TOPIC(
      "kafka.jobs-topic", "render-jobs", "Topic the render jobs are read from (key = jobId)."),
  KAFKA_STATUS_TOPIC(
      "kafka.status-topic",
      "render-status",
      "Topic the status events are written to (key = jobId)."),
  KAFKA_DEAD_LETTER_TOPIC(
      "kafka.dead-letter-topic",
      "render-jobs-dlt",
      "Topic unreadable job messages are copied to, with error headers."),
  KAFKA_TOPIC_PARTITIONS(
      "kafka.topic-partitions", "4", "Partitions of the topics the embedded mode creates."),
  KAFKA_MAX_POLL_RECORDS(
      "kafka.max-poll-records",
      "50",
      "Records per poll; the local backlog can exceed worker.max-queued-jobs by up to one poll."),
  KAFKA_POLL_TIMEOUT(
      "kafka.poll-timeout",
      "100ms",
      "Longest wait in one poll; the consumer polls continuously, even while paused."),
  KAFKA_DELIVERY_TIMEOUT(
      "kafka.delivery-timeout",
      "2m",
      "Time the idempotent producer keeps retrying a status or dead-letter record; failing that, the worker stops (jobs are redelivered)."),

  OUTPUT_DEFAULT_BUCKET(
      "output.default-bucket", "renders", "Bucket for jobs whose output names none."),
  OUTPUT_DEFAULT_PREFIX(
      "output.default-prefix", "images", "Key prefix for jobs whose output names none."),
  OUTPUT_ALLOWED_BUCKETS(
      "output.allowed-buckets",
      "",
      "Comma-separated buckets jobs may use; empty = only the default bucket."),
  OUTPUT_PNG_COMPRESSION(
      "output.png-compression",
      "1",
      "PNG deflate level 0 (stored) .. 9 (slow, small); 1 = fastest compressed."),
  OUTPUT_EMBED_PARAMETERS(
      "output.embed-parameters",
      "true",
      "Write prompt, seed, steps, sampler, guidance, size and model into each image (PNG text chunks, JPEG comment)."),
  OUTPUT_PRIVATE_METADATA_KEY(
      "output.private-metadata-key",
      "private",
      "Jobs whose metadata sets this key to true are private: their images carry no parameters (empty: none is)."),

  S3_ENDPOINT("s3.endpoint", "", "S3 endpoint override, e.g. http://127.0.0.1:9000; empty = AWS."),
  S3_REGION("s3.region", "us-east-1", "S3 signing region."),
  S3_PATH_STYLE(
      "s3.path-style",
      "false",
      "Path-style addressing (http://host/bucket/key), needed by most S3-compatible servers."),
  S3_ACCESS_KEY(
      "s3.access-key", "", "Static access key id; empty = the default AWS credentials chain."),
  S3_SECRET_KEY("s3.secret-key", "", "Static secret key (with s3.access-key)."),
  S3_REQUEST_CHECKSUM(
      "s3.request-checksum",
      "when-supported",
      "when-supported or when-required (for S3-compatible servers that reject CRC32 trailers)."),
  S3_RESPONSE_CHECKSUM(
      "s3.response-checksum", "when-supported", "when-supported or when-required."),
  S3_SDK_MAX_ATTEMPTS(
      "s3.sdk-max-attempts",
      "1",
      "Attempts inside the AWS SDK per call (the outer retry does the retrying)."),
  S3_CALL_TIMEOUT("s3.call-timeout", "30s", "Timeout of one S3 call."),
  S3_RETRY_ATTEMPTS(
      "s3.retry-attempts", "5", "Attempts per S3 operation (exponential backoff with jitter)."),
  S3_RETRY_INITIAL_BACKOFF("s3.retry-initial-backoff", "200ms", "First retry wait."),
  S3_RETRY_MAX_BACKOFF("s3.retry-max-backoff", "10s", "Longest retry wait."),
  S3_BREAKER_WINDOW("s3.breaker-window", "20", "Calls in the circuit breaker's window."),
  S3_BREAKER_MIN_CALLS(
      "s3.breaker-min-calls", "10", "Calls before the breaker judges the failure rate."),
  S3_BREAKER_FAILURE_RATE(
      "s3.breaker-failure-rate", "50", "Failure rate (%) that opens the breaker."),
  S3_BREAKER_OPEN_DURATION(
      "s3.breaker-open-duration", "30s", "How long the open breaker refuses calls before probing."),

  RENDERER("renderer", "pixart", "Renderer implementation (ServiceLoader name)."),
  MODEL_DIR("model.dir", "", "Model folder (diffusers layout)."),
  MODEL_DEVICE("model.device", "cpu", "Device: cpu, gpu, gpu:N or cuda:N."),
  MODEL_DTYPE(
      "model.dtype",
      "auto",
      "Compute precision: fp32, fp16, or auto (fp16 on a GPU, fp32 on the CPU)."),
  MODEL_RANDOM_WEIGHTS(
      "model.random-weights",
      "",
      "Capacity tests without a checkpoint: real (PixArt-LCM-XL sizes) or tiny random weights, made on the device (images are noise); empty loads model.dir."),
  MODEL_CONTROLNET(
      "model.controlnet",
      "",
      "ControlNet adapter: a diffusers adapter folder or PixArt-XL-2-1024-ControlNet.pth (empty: no control jobs)."),
  MODEL_HED("model.hed", "", "HED edge detector weights (ControlNetHED.pth) for control type hed."),
  MODEL_T5_INT8(
      "model.t5-int8",
      "false",
      "8 GB mode: keep T5 weights as int8 with per-row scales (quantized while loading; about a quarter of fp32)."),

  EMBEDDED("embedded", "false", "Start an in-process Kafka broker and S3 server and use them."),
  EMBEDDED_DATA_DIR(
      "embedded.data-dir",
      "./data",
      "Embedded mode: folder for S3 objects (kept) and Kafka logs (deleted on exit)."),
  EMBEDDED_KAFKA_PORT(
      "embedded.kafka-port", "9092", "Embedded mode: Kafka listener port (0 = random)."),
  EMBEDDED_S3_PORT("embedded.s3-port", "9000", "Embedded mode: S3 port (0 = random).");

  /**
   * Prefix of pass-through Kafka client properties, e.g. {@code kafka.client.security.protocol}.
   */
  public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";

  /**
   * Environment form of {@link #KAFKA_CLIENT_PREFIX}: {@code PIXART_KAFKA_CLIENT_SASL_MECHANISM}
   * sets {@code kafka.client.sasl.mechanism}. Kafka's property names are lower-case words joined by
   * dots, so underscores map back to dots; a property outside that form needs the config file.
   */
  public static final String KAFKA_CLIENT_ENV_PREFIX = envNameOf(KAFKA_CLIENT_PREFIX);

  private final String key;
  private final String defaultValue;
  private final String description;

  OptionKey(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** Key in the config file and for {@code --set}. */
  public String key() {
    return key;
  }

  /**
   * Environment variable: {@code PIXART_} + key upper-cased with dots and dashes as underscores.
   */
  public String envName() {
    return envNameOf(key);
  }

  /** Default value as text; empty means unset. */
  public String defaultValue() {
    return defaultValue;
  }

  /** One-line meaning. */
  public String description() {
    return description;
  }

  /** Finds a key, or null. */
  public static OptionKey byKey(String key) {
    for (OptionKey option : values()) {
      if (option.key.equals(key)) {
        return option;
      }
    }
    return null;
  }

  /**
   * The {@code kafka.client.*} key of a {@link #KAFKA_CLIENT_ENV_PREFIX} variable, or null for any
   * other variable.
   *
   * @throws OptionsException for the bare prefix or characters no Kafka property name has
   */
  static String kafkaClientKeyOfEnv(String variable) {
    if (!variable.startsWith(KAFKA_CLIENT_ENV_PREFIX)) {
      return null;
    }
    String property = variable.substring(KAFKA_CLIENT_ENV_PREFIX.length());
    if (!property.matches("[A-Z0-9]+(_[A-Z0-9]+)*")) {
      throw new OptionsException(
          "environment variable "
              + variable
              + " must be "
              + KAFKA_CLIENT_ENV_PREFIX
              + " followed by a Kafka client property in upper case with '_' for '.',"
              + " e.g. "
              + KAFKA_CLIENT_ENV_PREFIX
              + "SECURITY_PROTOCOL");
    }
    return KAFKA_CLIENT_PREFIX + property.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  static String envNameOf(String key) {
    return "PIXART_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
