package io.pixartdelta.worker.storage;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.pixartdelta.common.S3Clients;
import io.pixartdelta.common.S3Connection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link ObjectStore} on AWS SDK v2's synchronous {@link S3Client}.
 *
 * <p>Every call goes through a Resilience4j {@link Retry} (exponential backoff with jitter) around
 * a {@link CircuitBreaker}; the SDK's own retries are lowered to {@link
 * S3StoreSettings#sdkMaxAttempts()} so the two do not multiply. Only transient failures (I/O,
 * throttling, 5xx) are retried and count against the breaker; a refused request (4xx) fails at
 * once.
 *
 * <p>Uploads are single-part {@code PutObject}s with {@code If-None-Match: *}: a 412 means an
 * earlier attempt already stored the object, which is then described by a HEAD and reused.
 */
public final class S3ObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);

  private final S3Client client;
  private final BucketAllowList allowList;
  private final Retry retry;
  private final CircuitBreaker breaker;

  /** Builds a client from {@code settings}; the store owns and closes it. */
  public S3ObjectStore(S3StoreSettings settings) {
    this(buildClient(settings), settings);
  }

  S3ObjectStore(S3Client client, S3StoreSettings settings) {
    this.client = client;
    this.allowList = settings.allowList();
    Predicate<Throwable> transientFailure = S3ObjectStore::isTransient;
    S3StoreSettings.RetrySettings r = settings.retry();
    this.retry =
        Retry.of(
            "s3",
            RetryConfig.<Object>custom()
                .maxAttempts(r.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialRandomBackoff(
                        r.initialBackoff(), 2.0, 0.5, r.maxBackoff()))
                .retryOnException(transientFailure)
                .build());
    S3StoreSettings.BreakerSettings b = settings.breaker();
    this.breaker =
        CircuitBreaker.of(
            "s3",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.windowSize())
                .minimumNumberOfCalls(b.minimumCalls())
                .failureRateThreshold(b.failureRatePercent())
                .waitDurationInOpenState(b.openDuration())
                .recordException(transientFailure)
                .build());
  }

  /** The SDK client as configured by {@code settings} (also used by tests and tools). */
  public static S3Client buildClient(S3StoreSettings settings) {
    S3Connection connection = settings.connection();
    return S3Clients.builder(connection, S3Clients.credentials(connection))
        .overrideConfiguration(
            o ->
                o.retryStrategy(r -> r.maxAttempts(settings.sdkMaxAttempts()))
                    .apiCallTimeout(settings.callTimeout()))
        .build();
  }

  /** The breaker's state, for health checks and metrics. */
  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  /** The circuit breaker around every S3 call (for metrics). */
  public CircuitBreaker circuitBreaker() {
    return breaker;
  }

  /** The retry around the breaker (for metrics). */
  public Retry retry() {
    return retry;
  }

  @Override
  public StoredObject putIfAbsent(ObjectUpload upload) {
    allowList.check(upload.bucket());
    return call(
        "put " + upload.uri(),
        () -> {
          PutObjectRequest request =
              PutObjectRequest.builder()
                  .bucket(upload.bucket())
                  .key(upload.key())
                  .contentType(upload.contentType())
                  .contentLength((long) upload.bytes().length)
                  .metadata(upload.metadata())
                  .ifNoneMatch("*")
                  .build();
          try {
            client.putObject(request, RequestBody.fromBytes(upload.bytes()));
            return new StoredObject(
                upload.uri(),
                upload.bytes().length,
                upload.contentType(),
                upload.metadata(),
                false);
          } catch (S3Exception e) {
            if (e.statusCode() != 412) {
              throw e;
            }
            // An earlier attempt (or another worker) stored this key: keep and describe that copy.
            HeadObjectResponse head = head(upload.uri());
            LOG.info("{} already exists; reusing it", upload.uri());
            return new StoredObject(
                upload.uri(),
                head.contentLength() == null ? 0 : head.contentLength(),
                head.contentType() == null ? upload.contentType() : head.contentType(),
                head.metadata() == null ? Map.of() : head.metadata(),
                true);
          }
        });
  }

  @Override
  public Optional<StoredObject> find(S3Uri uri) {
    allowList.check(uri.bucket());
    return call(
        "head " + uri,
        () -> {
          HeadObjectResponse head;
          try {
            head = head(uri);
          } catch (S3Exception e) {
            if (e.statusCode() == 404) {
              return Optional.empty();
            }
            throw e;
          }
          return Optional.of(
              new StoredObject(
                  uri,
                  head.contentLength() == null ? 0 : head.contentLength(),
                  head.contentType() == null ? "application/octet-stream" : head.contentType(),
                  head.metadata() == null ? Map.of() : head.metadata(),
                  true));
        });
  }

  @Override
  public byte[] read(S3Uri uri, long maxBytes) {
    allowList.check(uri.bucket());
    return call(
        "read " + uri,
        () -> {
          HeadObjectResponse head = head(uri);
          long size = head.contentLength() == null ? 0 : head.contentLength();
          if (size > maxBytes) {
            throw new StorageException(
                StorageException.Kind.TOO_LARGE,
                uri + " has " + size + " bytes, more than the limit of " + maxBytes);
          }
          return client.getObjectAsBytes(b -> b.bucket(uri.bucket()).key(uri.key())).asByteArray();
        });
  }

  private HeadObjectResponse head(S3Uri uri) {
    return client.headObject(b -> b.bucket(uri.bucket()).key(uri.key()));
  }

  /** Runs one store operation under the breaker and the retry, translating SDK failures. */
  private <T> T call(String what, Supplier<T> operation) {
    Supplier<T> translated =
        () -> {
          try {
            return operation.get();
          } catch (SdkException e) {
            throw translate(what, e);
          }
        };
    try {
      return Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, translated))
          .get();
    } catch (CallNotPermittedException e) {
      throw new StorageException(
          StorageException.Kind.TRANSIENT, what + ": S3 circuit breaker is open", e);
    }
  }

  private static StorageException translate(String what, SdkException e) {
    if (e instanceof S3Exception s3) {
      int status = s3.statusCode();
      String message = what + " failed with HTTP " + status + ": " + s3.getMessage();
      if (status == 404) {
        return new StorageException(StorageException.Kind.NOT_FOUND, message, e);
      }
      // 409 is S3's "conditional request conflict" (a concurrent write): worth another try.
      if (status == 409 || status == 429 || status >= 500) {
        return new StorageException(StorageException.Kind.TRANSIENT, message, e);
      }
      return new StorageException(StorageException.Kind.PERMANENT, message, e);
    }
    if (e instanceof SdkClientException) {
      return new StorageException(
          StorageException.Kind.TRANSIENT, what + " failed: " + e.getMessage(), e);
    }
    return new StorageException(
        e.retryable() ? StorageException.Kind.TRANSIENT : StorageException.Kind.PERMANENT,
        what + " failed: " + e.getMessage(),
        e);
  }

  private static boolean isTransient(Throwable t) {
    return t instanceof CallNotPermittedException
        || (t instanceof StorageException se && se.retryable());
  }

  @Override
  public void close() {
    client.close();
  }
}
