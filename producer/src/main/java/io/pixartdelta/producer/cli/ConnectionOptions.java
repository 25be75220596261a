package io.pixartdelta.producer.cli;

import io.pixartdelta.common.ChecksumMode;
import io.pixartdelta.common.S3Connection;
import io.pixartdelta.producer.KafkaSettings;
import io.pixartdelta.producer.S3Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Kafka and S3 connection flags shared by every command; each falls back to the {@code PIXART_*}
 * environment variable the worker reads for the same setting, then to the quick-start default.
 */
public final class ConnectionOptions {
  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:PIXART_KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
      description =
          "Kafka bootstrap servers (env PIXART_KAFKA_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(
      names = "--jobs-topic",
      paramLabel = "TOPIC",
      defaultValue = "${env:PIXART_KAFKA_JOBS_TOPIC:-" + KafkaSettings.DEFAULT_JOBS_TOPIC + "}",
      description =
          "Topic the worker reads jobs from (env PIXART_KAFKA_JOBS_TOPIC; default: ${DEFAULT-VALUE}).")
  String jobsTopic;

  @Option(
      names = "--status-topic",
      paramLabel = "TOPIC",
      defaultValue = "${env:PIXART_KAFKA_STATUS_TOPIC:-" + KafkaSettings.DEFAULT_STATUS_TOPIC + "}",
      description =
          "Topic of status events (env PIXART_KAFKA_STATUS_TOPIC; default: ${DEFAULT-VALUE}).")
  String statusTopic;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "${env:PIXART_CONNECT_TIMEOUT:-15s}",
      description =
          "Give up with exit code 4 when Kafka does not answer within this time"
              + " (env PIXART_CONNECT_TIMEOUT; default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      defaultValue = "${env:PIXART_S3_ENDPOINT}",
      description =
          "S3 endpoint for --control uploads and --download, e.g. http://127.0.0.1:9000"
              + " (env PIXART_S3_ENDPOINT; default: AWS).")
  URI s3Endpoint;

  @Option(
      names = "--s3-region",
      paramLabel = "REGION",
      defaultValue = "${env:PIXART_S3_REGION:-" + S3Connection.DEFAULT_REGION + "}",
      description = "S3 signing region (env PIXART_S3_REGION; default: ${DEFAULT-VALUE}).")
  String s3Region;

  @Option(
      names = "--path-style",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:PIXART_S3_PATH_STYLE:-false}",
      description =
          "Path-style S3 addressing, needed by S3Proxy and most on-prem servers"
              + " (env PIXART_S3_PATH_STYLE; default: ${DEFAULT-VALUE}).")
  boolean pathStyle;

  @Option(
      names = "--s3-checksum",
      paramLabel = "MODE",
      defaultValue = "${env:PIXART_S3_REQUEST_CHECKSUM:-when-supported}",
      description =
          "when-supported (AWS default) or when-required, for S3-compatible servers that reject"
              + " the SDK's CRC32 checksums (env PIXART_S3_REQUEST_CHECKSUM; default: ${DEFAULT-VALUE}).")
  String checksum;

  private ChecksumMode checksumMode() {
    try {
      return ChecksumMode.parse(checksum);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--s3-checksum must be when-supported or when-required, got '" + checksum + "'", e);
    }
  }

  /** Kafka settings from the flags. */
  KafkaSettings kafka() {
    return new KafkaSettings(
        bootstrap, jobsTopic, statusTopic, "pixart-cli", connectTimeout, Map.of());
  }

  /** Whether S3 was set up for this CLI: an endpoint or PIXART_S3_ACCESS_KEY. */
  boolean s3Configured() {
    return s3Endpoint != null || System.getenv("PIXART_S3_ACCESS_KEY") != null;
  }

  /** What to do when S3 has no credentials, in the CLI's own terms. */
  static final String NO_S3_CREDENTIALS =
      "no S3 credentials: set PIXART_S3_ACCESS_KEY and PIXART_S3_SECRET_KEY (the worker's embedded"
          + " mode prints them), or AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,"
          + " a profile or an instance role); a non-AWS store also needs PIXART_S3_ENDPOINT"
          + " (or --s3-endpoint)";

  /**
   * S3 settings from the flags; credentials come from {@code PIXART_S3_ACCESS_KEY} and {@code
   * PIXART_S3_SECRET_KEY} when both are set, otherwise from the AWS default chain (AWS_* variables,
   * profile, instance role). Secrets are never taken from flags (they would show in {@code ps}).
   */
  S3Settings s3(String controlBucket, String controlPrefix) {
    String accessKey = System.getenv("PIXART_S3_ACCESS_KEY");
    String secretKey = System.getenv("PIXART_S3_SECRET_KEY");
    S3Connection.Builder connection =
        S3Connection.aws().toBuilder()
            .endpoint(s3Endpoint)
            .region(s3Region)
            .pathStyle(pathStyle)
            .checksums(checksumMode(), checksumMode());
    if (accessKey != null && secretKey != null) {
      connection.credentials(accessKey, secretKey);
    }
    return new S3Settings(connection.build(), controlBucket, controlPrefix);
  }
}
