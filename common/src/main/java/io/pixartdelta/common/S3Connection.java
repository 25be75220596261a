package io.pixartdelta.common;

import java.net.URI;
import java.util.Objects;

/**
 * How to reach an object store: the part of the S3 settings the client and the worker share. Each
 * side adds its own settings around it (the client its control-image location, the worker its
 * retries, breaker and allow-list).
 *
 * @param endpoint endpoint override such as {@code http://127.0.0.1:9000} (S3Proxy); null for AWS
 * @param region signing region (any value works for S3Proxy)
 * @param pathStyle true for {@code http://host/bucket/key} addressing (S3Proxy, most on-prem)
 * @param accessKeyId static credentials; null (with {@code secretAccessKey}) uses the AWS default
 *     chain (environment, profile, instance role)
 * @param secretAccessKey static credentials, set together with {@code accessKeyId}
 * @param requestChecksum when the SDK adds request checksums
 * @param responseChecksum when the SDK validates response checksums
 */
public record S3Connection(
    URI endpoint,
    String region,
    boolean pathStyle,
    String accessKeyId,
    String secretAccessKey,
    ChecksumMode requestChecksum,
    ChecksumMode responseChecksum) {

  public static final String DEFAULT_REGION = "us-east-1";

  public S3Connection {
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
    Objects.requireNonNull(requestChecksum, "requestChecksum");
    Objects.requireNonNull(responseChecksum, "responseChecksum");
  }

  /** AWS: its endpoints, {@value #DEFAULT_REGION}, the default credential chain, SDK checksums. */
  public static S3Connection aws() {
    return new Builder().build();
  }

  /** A builder holding this connection's values. */
  public Builder toBuilder() {
    return new Builder()
        .endpoint(endpoint)
        .region(region)
        .pathStyle(pathStyle)
        .credentials(accessKeyId, secretAccessKey)
        .checksums(requestChecksum, responseChecksum);
  }

  public S3Connection withEndpoint(URI newEndpoint) {
    return toBuilder().endpoint(newEndpoint).build();
  }

  public S3Connection withRegion(String newRegion) {
    return toBuilder().region(newRegion).build();
  }

  public S3Connection withPathStyle(boolean newPathStyle) {
    return toBuilder().pathStyle(newPathStyle).build();
  }

  public S3Connection withCredentials(String newAccessKeyId, String newSecretAccessKey) {
    return toBuilder().credentials(newAccessKeyId, newSecretAccessKey).build();
  }

  /** The same mode for request checksums and response validation. */
  public S3Connection withChecksums(ChecksumMode mode) {
    return toBuilder().checksums(mode, mode).build();
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "S3Connection[endpoint="
        + endpoint
        + ", region="
        + region
        + ", pathStyle="
        + pathStyle
        + ", accessKeyId="
        + accessKeyId
        + ", requestChecksum="
        + requestChecksum
        + ", responseChecksum="
        + responseChecksum
        + "]";
  }

  /** Mutable builder; {@link #build} validates. */
  public static final class Builder {
    private URI endpoint;
    private String region = DEFAULT_REGION;
    private boolean pathStyle;
    private String accessKeyId;
    private String secretAccessKey;
    private ChecksumMode requestChecksum = ChecksumMode.WHEN_SUPPORTED;
    private ChecksumMode responseChecksum = ChecksumMode.WHEN_SUPPORTED;

    public Builder endpoint(URI value) {
      this.endpoint = value;
      return this;
    }

    public Builder region(String value) {
      this.region = value;
      return this;
    }

    public Builder pathStyle(boolean value) {
      this.pathStyle = value;
      return this;
    }

    public Builder credentials(String newAccessKeyId, String newSecretAccessKey) {
      this.accessKeyId = newAccessKeyId;
      this.secretAccessKey = newSecretAccessKey;
      return this;
    }

    public Builder checksums(ChecksumMode request, ChecksumMode response) {
      this.requestChecksum = request;
      this.responseChecksum = response;
      return this;
    }

    public S3Connection build() {
      return new S3Connection(
          endpoint,
          region,
          pathStyle,
          accessKeyId,
          secretAccessKey,
          requestChecksum,
          responseChecksum);
    }
  }
}
