package io.pixartdelta.worker.app;

import static io.pixartdelta.worker.app.OptionChecks.invalid;

import io.pixartdelta.common.ChecksumMode;
import io.pixartdelta.common.Durations;
import io.pixartdelta.common.S3Connection;
import io.pixartdelta.worker.app.WorkerOptions.EmbeddedOptions;
import io.pixartdelta.worker.app.WorkerOptions.KafkaOptions;
import io.pixartdelta.worker.app.WorkerOptions.ModelOptions;
import io.pixartdelta.worker.app.WorkerOptions.OutputOptions;
import io.pixartdelta.worker.app.WorkerOptions.ServiceOptions;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.render.ParameterEmbedding;
import io.pixartdelta.worker.storage.BucketAllowList;
import io.pixartdelta.worker.storage.S3StoreSettings;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds {@link WorkerOptions} from, in increasing precedence: the defaults of {@link OptionKey},
 * an optional properties file, {@code PIXART_*} environment variables (Kafka client properties as
 * {@code PIXART_KAFKA_CLIENT_*}, see {@link OptionKey#KAFKA_CLIENT_ENV_PREFIX}) and command-line
 * overrides. Unknown keys in the file or the overrides are errors (typos should not pass silently);
 * so are malformed values, with a message naming the option.
 */
public final class WorkerOptionsLoader {
  private WorkerOptionsLoader() {}

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
    S3StoreSettings s3 = s3Settings(values, allowed);
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

  private static S3StoreSettings s3Settings(Values values, Set<String> allowed) {
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
      S3Connection connection =
          new S3Connection(
              endpointUri,
              values.text(OptionKey.S3_REGION),
              values.bool(OptionKey.S3_PATH_STYLE),
              accessKey.isEmpty() ? null : accessKey,
              secretKey.isEmpty() ? null : secretKey,
              values.checksum(OptionKey.S3_REQUEST_CHECKSUM),
              values.checksum(OptionKey.S3_RESPONSE_CHECKSUM));
      return new S3StoreSettings(
          connection,
          values.integer(OptionKey.S3_SDK_MAX_ATTEMPTS),
          values.duration(OptionKey.S3_CALL_TIMEOUT),
          new S3StoreSettings.RetrySettings(
              values.integer(OptionKey.S3_RETRY_ATTEMPTS),
              values.duration(OptionKey.S3_RETRY_INITIAL_BACKOFF),
              values.duration(OptionKey.S3_RETRY_MAX_BACKOFF)),
          new S3StoreSettings.BreakerSettings(
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

  private static Path optionalPath(String text) {
    return text.isEmpty() ? null : Path.of(text);
  }

  /** Typed access to the merged text values. */
  private record Values(Map<String, String> values) {
    String text(OptionKey option) {
      return values.getOrDefault(option.key(), "");
    }

    int integer(OptionKey option) {
      return parsed(option, Integer::parseInt, "an integer");
    }

    long longValue(OptionKey option) {
      return parsed(option, Long::parseLong, "an integer");
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
      return parsed(option, Durations::parse, "a duration such as 250ms, 30s, 2m or PT30S");
    }

    ChecksumMode checksum(OptionKey option) {
      return parsed(option, ChecksumMode::parse, "when-supported or when-required");
    }

    /** The value read by {@code parser}; its IllegalArgumentException names the option instead. */
    private <T> T parsed(OptionKey option, Function<String, T> parser, String expected) {
      String text = text(option);
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) { // NumberFormatException included
        throw invalid(option, text, expected);
      }
    }
  }
}
