package io.pixartdelta.worker.storage;

import java.util.Objects;

/** An object-store operation failed; {@link #kind()} says what the caller should do next. */
public class StorageException extends RuntimeException {

  /** What went wrong, and so whether retrying can help. */
  public enum Kind {
    /** The bucket is not on the allow-list: fail the job, never retry. */
    NOT_ALLOWED(false),
    /** The object does not exist: fail the job. */
    NOT_FOUND(false),
    /** The object exceeds the caller's size limit: fail the job. */
    TOO_LARGE(false),
    /** The store refused the request (bad credentials, missing bucket...): fail the job. */
    PERMANENT(false),
    /** Network error, throttling, 5xx or open circuit breaker: retrying later may succeed. */
    TRANSIENT(true);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    /** True if the same request may succeed later. */
    public boolean retryable() {
      return retryable;
    }
  }

  private final Kind kind;

  public StorageException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public StorageException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  /** True if the same request may succeed later. */
  public boolean retryable() {
    return kind.retryable();
  }
}
