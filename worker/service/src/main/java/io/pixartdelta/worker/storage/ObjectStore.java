package io.pixartdelta.worker.storage;

import java.util.Optional;

/**
 * An S3-like object store.
 *
 * <p>Uploads are idempotent: a second upload to the same key keeps the first object and reports it
 * (so a redelivered job never overwrites or duplicates its images). Failures are {@link
 * StorageException}s whose {@link StorageException#kind() kind} says whether to retry.
 */
public interface ObjectStore extends AutoCloseable {

  /**
   * Stores {@code upload} unless an object already exists under its key; in that case the existing
   * object is described instead ({@link StoredObject#reused()} is true).
   *
   * @throws StorageException if the bucket is not allowed or the store fails
   */
  StoredObject putIfAbsent(ObjectUpload upload);

  /**
   * Describes the object at {@code uri} from its metadata alone (no body is read), or empty if
   * there is none; {@link StoredObject#reused()} is true.
   *
   * @throws StorageException if the bucket is not allowed or the store fails
   */
  Optional<StoredObject> find(S3Uri uri);

  /**
   * Reads a whole object.
   *
   * @param maxBytes larger objects are refused with {@link StorageException.Kind#TOO_LARGE}
   * @throws StorageException if the object is missing, too large, not allowed or the store fails
   */
  byte[] read(S3Uri uri, long maxBytes);

  @Override
  void close();
}
