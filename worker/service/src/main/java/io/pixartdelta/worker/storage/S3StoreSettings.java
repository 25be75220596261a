package io.pixartdelta.worker.storage;

import io.pixartdelta.common.S3Connection;
import java.time.Duration;
import java.util.Objects;

/**
 * The worker's S3 settings: how to reach the store (the {@link S3Connection} the client shares) and
 * how hard to try.
 *
 * @param connection endpoint, region, addressing, credentials and checksum modes
 * @param sdkMaxAttempts attempts inside the SDK per call (1 = no SDK retries; the outer retry below
 *     does the retrying, so the two do not multiply)
 * @param callTimeout limit for one SDK call including its own attempts
 * @param retry the outer retry with exponential backoff and jitter
 * @param breaker the circuit breaker around every call
 * @param allowList buckets that may be written and read
 */
public record S3StoreSettings(
    S3Connection connection,
    int sdkMaxAttempts,
    Duration callTimeout,
    RetrySettings retry,
    BreakerSettings breaker,
    BucketAllowList allowList) {

  public S3StoreSettings {
    Objects.requireNonNull(connection, "connection");
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

  /** A copy that reaches the store through {@code newConnection}. */
  public S3StoreSettings withConnection(S3Connection newConnection) {
    return new S3StoreSettings(
        newConnection, sdkMaxAttempts, callTimeout, retry, breaker, allowList);
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
