package io.pixartdelta.worker.storage;

import java.util.Objects;
import java.util.Set;

/**
 * The buckets this worker may write to and read control images from. A job naming any other bucket
 * fails ({@code output-not-allowed}) before it is rendered.
 *
 * @param buckets allowed bucket names, not empty
 */
public record BucketAllowList(Set<String> buckets) {
  public BucketAllowList {
    buckets = Set.copyOf(Objects.requireNonNull(buckets, "buckets"));
    if (buckets.isEmpty()) {
      throw new IllegalArgumentException("buckets must name at least one bucket");
    }
  }

  /** True if {@code bucket} may be used. */
  public boolean allows(String bucket) {
    return bucket != null && buckets.contains(bucket);
  }

  /**
   * Refuses a bucket that is not on the list.
   *
   * @throws StorageException of kind {@link StorageException.Kind#NOT_ALLOWED}
   */
  public void check(String bucket) {
    if (!allows(bucket)) {
      throw new StorageException(
          StorageException.Kind.NOT_ALLOWED,
          "bucket '" + bucket + "' is not in the allow-list " + buckets);
    }
  }
}
