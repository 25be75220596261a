package io.pixartdelta.worker.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach S3 (or an S3-compatible server) and how hard to try.
 *
 * @param endpoint endpoint override such as {@code http://127.0.0.1:9000}; null for AWS's own
 * @param region signing region, e.g. {@code us-east-1}
 * @param pathStyle true for {@code http://host/bucket/key} addressing (most third-party servers)
 * @param accessKey static access key id; null (together with {@code secretKey}) for the default AWS
 *     credentials chain (environment, profile, instance role)
 * @param secretKey static secret key, or null
 * @param requestChecksum when the SDK adds request checksums; {@code WHEN_REQUIRED} for servers
 *     that reject the SDK's default CRC32 trailers
 * @param responseChecksum when the SDK validates response checksums
 * @param sdkMaxAttempts attempts inside the SDK per call (1 = no SDK retries; the outer retry below
 *     does the retrying, so the two do not multiply)
 * @param callTimeout limit for one SDK call including its own attempts
 * @param retry the outer retry with exponential backoff and jitter
 * @param breaker the circuit breaker around every call
 * @param allowList buckets that may be written and read
 */
public record S3Settings(
    URI endpoint,
    String region,
    boolean pathStyle,
    String accessKey,
    String secretKey,
    ChecksumMode requestChecksum,
    ChecksumMode responseChecksum,
    int sdkMaxAttempts,
    Duration callTimeout,
    RetrySettings retry,
    BreakerSettings breaker,
    BucketAllowList allowList) {

  /** When checksums are computed or validated (mirrors the SDK's two settings). */
  public enum ChecksumMode {
    /** Whenever the operation supports it (the SDK default since 2.30). */
    WHEN_SUPPORTED,
    /** Only when the operation requires it (for third-party S3 servers). */
    WHEN_REQUIRED
  }

  public S3Settings {
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("region must not be blank");
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException("accessKey and secretKey must be set together");
    }
    Objects.requireNonNull(requestChecksum, "requestChecksum");
    Objects.requireNonNull(responseChecksum, "responseChecksum");
    if (sdkMaxAttempts < 1 || sdkMaxAttempts > 10) {
      throw new IllegalArgumentException("sdkMaxAttempts must be 1..10, got " + sdkMaxAttempts);
    }
    if (callTimeout == null || callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive, got " + callTimeout);
    }
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(breaker, "breaker");
    Objects.requireNonNull(allowList, "allowList");
  }

  /**
   * Outer retry policy: exponential backoff with random jitter.
   *
   * @param maxAttempts total attempts including the first, 1..20
   * @param initialBackoff wait before the second attempt
   * @param maxBackoff cap for one wait
   */
  public record RetrySettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    public RetrySettings {
      if (maxAttempts < 1 || maxAttempts > 20) {
        throw new IllegalArgumentException("maxAttempts must be 1..20, got " + maxAttempts);
      }
      if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()) {
        throw new IllegalArgumentException(
            "initialBackoff must be positive, got " + initialBackoff);
      }
      if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff must be >= initialBackoff (" + initialBackoff + "), got " + maxBackoff);
      }
    }
  }

  /**
   * Circuit breaker over a count-based window. At a few calls per second the library default (100
   * calls before judging) would never open, hence the small window.
   *
   * @param windowSize calls in the sliding window
   * @param minimumCalls calls needed before the failure rate is judged
   * @param failureRatePercent failure rate (1..100) that opens the breaker
   * @param openDuration how long the breaker stays open before probing again
   */
  public record BreakerSettings(
      int windowSize, int minimumCalls, int failureRatePercent, Duration openDuration) {
    public BreakerSettings {
      if (windowSize < 1) {
        throw new IllegalArgumentException("windowSize must be >= 1, got " + windowSize);
      }
      if (minimumCalls < 1 || minimumCalls > windowSize) {
        throw new IllegalArgumentException(
            "minimumCalls must be 1..windowSize (" + windowSize + "), got " + minimumCalls);
      }
      if (failureRatePercent < 1 || failureRatePercent > 100) {
        throw new IllegalArgumentException(
            "failureRatePercent must be 1..100, got " + failureRatePercent);
      }
      if (openDuration == null || openDuration.isNegative() || openDuration.isZero()) {
        throw new IllegalArgumentException("openDuration must be positive, got " + openDuration);
      }
    }
  }
}
