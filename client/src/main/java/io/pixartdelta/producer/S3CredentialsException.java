package io.pixartdelta.producer;

/**
 * No S3 credentials: none were given ({@link S3Settings#withCredentials}) and the AWS default chain
 * (environment, system properties, profile, container or instance role) found none either.
 */
public final class S3CredentialsException extends InfrastructureException {
  public S3CredentialsException(String message, Throwable cause) {
    super(message, cause);
  }
}
