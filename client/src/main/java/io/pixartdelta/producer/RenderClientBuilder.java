package io.pixartdelta.producer;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** Configures a {@link RenderClient}; every setting has a default except the brokers. */
public final class RenderClientBuilder {
  private final String bootstrapServers;
  private String jobsTopic = KafkaSettings.DEFAULT_JOBS_TOPIC;
  private String statusTopic = KafkaSettings.DEFAULT_STATUS_TOPIC;
  private String clientId = "pixart-producer";
  private Duration connectTimeout = KafkaSettings.DEFAULT_CONNECT_TIMEOUT;
  private final Map<String, String> kafkaProperties = new HashMap<>();
  Duration defaultTimeout = Duration.ofMinutes(10);
  Duration statusLookBack = Duration.ofMinutes(10);
  int maxRememberedJobs = 100_000;
  S3Settings s3;
  Clock clock = Clock.systemUTC();

  RenderClientBuilder(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  /** Topic the worker consumes jobs from (default {@value KafkaSettings#DEFAULT_JOBS_TOPIC}). */
  public RenderClientBuilder jobsTopic(String topic) {
    this.jobsTopic = topic;
    return this;
  }

  /** Topic of status events (default {@value KafkaSettings#DEFAULT_STATUS_TOPIC}). */
  public RenderClientBuilder statusTopic(String topic) {
    this.statusTopic = topic;
    return this;
  }

  /** Prefix of the Kafka client ids (default {@code pixart-producer}). */
  public RenderClientBuilder clientId(String id) {
    this.clientId = id;
    return this;
  }

  /** How long to wait for the broker before failing with {@link InfrastructureException}. */
  public RenderClientBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = timeout;
    return this;
  }

  /** Extra Kafka client property for producer and consumer (e.g. security settings). */
  public RenderClientBuilder kafkaProperty(String key, String value) {
    this.kafkaProperties.put(key, value);
    return this;
  }

  /**
   * Default time from submission to terminal status before a future fails with {@link
   * JobTimeoutException} (default 10 min).
   */
  public RenderClientBuilder defaultTimeout(Duration timeout) {
    this.defaultTimeout = timeout;
    return this;
  }

  /**
   * How far back the status consumer (and the jobs-topic duplicate check) reads at start-up
   * (default 10 min; zero = from now on). Longer look-backs let a restarted client recognise older
   * jobs, at the cost of reading more at start-up.
   */
  public RenderClientBuilder statusLookBack(Duration lookBack) {
    this.statusLookBack = lookBack;
    return this;
  }

  /** How many finished or foreign jobs' last status events are remembered (default 100,000). */
  public RenderClientBuilder maxRememberedJobs(int max) {
    this.maxRememberedJobs = max;
    return this;
  }

  /**
   * Object-store access for control uploads and downloads; without it those methods throw. Needs
   * {@code software.amazon.awssdk:s3} on the classpath (an optional dependency of this library).
   */
  public RenderClientBuilder s3(S3Settings settings) {
    this.s3 = settings;
    return this;
  }

  /** Clock for submission stamps, deadlines and the look-back (tests). */
  public RenderClientBuilder clock(Clock newClock) {
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
