package io.pixartdelta.producer;

import io.pixartdelta.common.ChecksumMode;
import io.pixartdelta.common.S3Connection;
import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the client reaches the object store for control-image uploads and result downloads: the
 * {@link S3Connection} the worker reads the same way, plus where control images go.
 *
 * @param connection endpoint, region, addressing, credentials and checksum modes
 * @param controlBucket bucket that control images are uploaded to; must be one the worker reads
 *     from (its output allow-list); {@code null} disables uploads
 * @param controlPrefix key prefix for uploaded control images, no leading or trailing slash
 */
public record S3Settings(S3Connection connection, String controlBucket, String controlPrefix) {

  public static final String DEFAULT_CONTROL_PREFIX = "controls";

  // S3 bucket naming rules (lowercase DNS-style label, 3..63 chars).
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*");

  public S3Settings {
    Objects.requireNonNull(connection, "connection");
    if (controlBucket != null && !BUCKET.matcher(controlBucket).matches()) {
      throw new IllegalArgumentException(
          "controlBucket: not a valid bucket name: " + controlBucket);
    }
    if (controlPrefix == null) {
      controlPrefix = DEFAULT_CONTROL_PREFIX;
    }
    if (!controlPrefix.isEmpty()
        && (!PREFIX.matcher(controlPrefix).matches() || controlPrefix.contains(".."))) {
      throw new IllegalArgumentException(
          "controlPrefix: segments of [A-Za-z0-9._=-] separated by '/', no '..', got "
              + controlPrefix);
    }
  }

  /** AWS defaults: default endpoint and credential chain, SDK checksums, no control bucket. */
  public static S3Settings defaults() {
    return new S3Settings(S3Connection.aws(), null, null);
  }

  public S3Settings withConnection(S3Connection newConnection) {
    return new S3Settings(newConnection, controlBucket, controlPrefix);
  }

  /** S3 endpoint, e.g. {@code http://127.0.0.1:9000} for S3Proxy; {@code null} for AWS. */
  public S3Settings withEndpoint(URI newEndpoint) {
    return withConnection(connection.withEndpoint(newEndpoint));
  }

  /** Signing region (any value works for S3Proxy); default {@code us-east-1}. */
  public S3Settings withRegion(String newRegion) {
    return withConnection(connection.withRegion(newRegion));
  }

  /** {@code true} for servers without virtual-host buckets (S3Proxy, most on-prem). */
  public S3Settings withPathStyle(boolean newPathStyle) {
    return withConnection(connection.withPathStyle(newPathStyle));
  }

  /** Static credentials; without them the AWS default chain is used. */
  public S3Settings withCredentials(String newAccessKeyId, String newSecretAccessKey) {
    return withConnection(connection.withCredentials(newAccessKeyId, newSecretAccessKey));
  }

  /**
   * {@code true} computes and validates checksums only where S3 requires them: needed for
   * third-party servers that reject the SDK's default CRC32 trailers.
   */
  public S3Settings withChecksumWhenRequired(boolean whenRequired) {
    return withConnection(
        connection.withChecksums(
            whenRequired ? ChecksumMode.WHEN_REQUIRED : ChecksumMode.WHEN_SUPPORTED));
  }

  public S3Settings withControlLocation(String newBucket, String newPrefix) {
    return new S3Settings(connection, newBucket, newPrefix);
  }
}
