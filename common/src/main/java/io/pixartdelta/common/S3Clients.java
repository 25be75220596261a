package io.pixartdelta.common;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * AWS SDK v2 clients for an {@link S3Connection}. Needs {@code software.amazon.awssdk:s3} on the
 * classpath (an optional dependency of this module).
 */
public final class S3Clients {
  private S3Clients() {}

  /** Static credentials when the connection has them, otherwise the AWS default chain. */
  public static AwsCredentialsProvider credentials(S3Connection connection) {
    return connection.accessKeyId() == null
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(
            AwsBasicCredentials.create(connection.accessKeyId(), connection.secretAccessKey()));
  }

  /**
   * A synchronous client builder with the connection's region, addressing, endpoint, checksum modes
   * and {@code credentials}; callers add their own timeouts and retries.
   */
  public static S3ClientBuilder builder(
      S3Connection connection, AwsCredentialsProvider credentials) {
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(connection.region()))
            .forcePathStyle(connection.pathStyle())
            .credentialsProvider(credentials)
            .requestChecksumCalculation(
                connection.requestChecksum() == ChecksumMode.WHEN_REQUIRED
                    ? RequestChecksumCalculation.WHEN_REQUIRED
                    : RequestChecksumCalculation.WHEN_SUPPORTED)
            .responseChecksumValidation(
                connection.responseChecksum() == ChecksumMode.WHEN_REQUIRED
                    ? ResponseChecksumValidation.WHEN_REQUIRED
                    : ResponseChecksumValidation.WHEN_SUPPORTED);
    if (connection.endpoint() != null) {
      builder.endpointOverride(connection.endpoint());
    }
    return builder;
  }
}
