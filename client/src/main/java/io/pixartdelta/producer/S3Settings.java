package io.pixartdelta.producer;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * How the client reaches the object store for control-image uploads and result downloads.
 *
 * @param endpoint S3 endpoint, e.g. {@code http://127.0.0.1:9000} for S3Proxy; {@code null} for AWS
 * @param region signing region (any value works for S3Proxy); default {@code us-east-1}
 * @param pathStyle {@code true} for servers without virtual-host buckets (S3Proxy, most on-prem)
 * @param accessKeyId static credentials; {@code null} (with {@code secretAccessKey}) uses the AWS
 *     default chain (environment, profile, instance role)
 * @param secretAccessKey static credentials, set together with {@code accessKeyId}
 * @param checksumWhenRequired {@code true} computes/validates checksums only where S3 requires
 *     them: needed for third-party servers that reject the SDK's default CRC32 trailers
 * @param controlBucket bucket that control images are uploaded to; must be one the worker reads
 *     from (its output allow-list); {@code null} disables uploads
 * @param controlPrefix key prefix for uploaded control images, no leading or trailing slash
 */
public record S3Settings(
    URI endpoint,
    String region,
    boolean pathStyle,
    String accessKeyId,
    String secretAccessKey,
    boolean checksumWhenRequired,
    String controlBucket,
    String controlPrefix) {

  public static final String DEFAULT_REGION = "us-east-1";
  public static final String DEFAULT_CONTROL_PREFIX = "controls";

  // S3 bucket naming rules (lowercase DNS-style label, 3..63 chars).
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*");

  public S3Settings {
    if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
      throw new IllegalArgumentException("endpoint: needs scheme and host, got " + endpoint);
    }
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("region: required (any value for S3Proxy)");
    }
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException(
          "accessKeyId/secretAccessKey: set both for static credentials or neither");
    }
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
    return new S3Settings(null, DEFAULT_REGION, false, null, null, false, null, null);
  }

  public S3Settings withEndpoint(URI newEndpoint) {
    return new S3Settings(
        newEndpoint,
        region,
        pathStyle,
        accessKeyId,
        secretAccessKey,
        checksumWhenRequired,
        controlBucket,
        controlPrefix);
  }

  public S3Settings withRegion(String newRegion) {
    return new S3Settings(
        endpoint,
        newRegion,
        pathStyle,
        accessKeyId,
        secretAccessKey,
        checksumWhenRequired,
        controlBucket,
        controlPrefix);
  }

  public S3Settings withPathStyle(boolean newPathStyle) {
    return new S3Settings(
        endpoint,
        region,
        newPathStyle,
        accessKeyId,
        secretAccessKey,
        checksumWhenRequired,
        controlBucket,
        controlPrefix);
  }

  public S3Settings withCredentials(String newAccessKeyId, String newSecretAccessKey) {
    return new S3Settings(
        endpoint,
        region,
        pathStyle,
        newAccessKeyId,
        newSecretAccessKey,
        checksumWhenRequired,
        controlBucket,
        controlPrefix);
  }

  public S3Settings withChecksumWhenRequired(boolean newChecksumWhenRequired) {
    return new S3Settings(
        endpoint,
        region,
        pathStyle,
        accessKeyId,
        secretAccessKey,
        newChecksumWhenRequired,
        controlBucket,
        controlPrefix);
  }

  public S3Settings withControlLocation(String newBucket, String newPrefix) {
    return new S3Settings(
        endpoint,
        region,
        pathStyle,
        accessKeyId,
        secretAccessKey,
        checksumWhenRequired,
        newBucket,
        newPrefix);
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "S3Settings[endpoint="
        + endpoint
        + ", region="
        + region
        + ", pathStyle="
        + pathStyle
        + ", accessKeyId="
        + accessKeyId
        + ", checksumWhenRequired="
        + checksumWhenRequired
        + ", controlBucket="
        + controlBucket
        + ", controlPrefix="
        + controlPrefix
        + "]";
  }
}
