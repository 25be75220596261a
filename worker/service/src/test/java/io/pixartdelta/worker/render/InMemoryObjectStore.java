package io.pixartdelta.worker.render;

import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.ObjectUpload;
import io.pixartdelta.worker.storage.S3Uri;
import io.pixartdelta.worker.storage.StorageException;
import io.pixartdelta.worker.storage.StoredObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link ObjectStore} in memory with the same put-if-absent semantics, for unit tests. */
public final class InMemoryObjectStore implements ObjectStore {
  public record Entry(byte[] bytes, String contentType, Map<String, String> metadata) {}

  public final Map<S3Uri, Entry> objects = new ConcurrentHashMap<>();
  final AtomicInteger puts = new AtomicInteger();
  volatile StorageException failPutsWith;

  @Override
  public StoredObject putIfAbsent(ObjectUpload upload) {
    puts.incrementAndGet();
    StorageException failure = failPutsWith;
    if (failure != null) {
      throw failure;
    }
    Entry fresh = new Entry(upload.bytes(), upload.contentType(), upload.metadata());
    Entry existing = objects.putIfAbsent(upload.uri(), fresh);
    Entry stored = existing == null ? fresh : existing;
    return new StoredObject(
        upload.uri(),
        stored.bytes().length,
        stored.contentType(),
        stored.metadata(),
        existing != null);
  }

  @Override
  public Optional<StoredObject> find(S3Uri uri) {
    Entry entry = objects.get(uri);
    return Optional.ofNullable(entry)
        .map(e -> new StoredObject(uri, e.bytes().length, e.contentType(), e.metadata(), true));
  }

  @Override
  public byte[] read(S3Uri uri, long maxBytes) {
    Entry entry = objects.get(uri);
    if (entry == null) {
      throw new StorageException(StorageException.Kind.NOT_FOUND, uri + " not found");
    }
    if (entry.bytes().length > maxBytes) {
      throw new StorageException(StorageException.Kind.TOO_LARGE, uri + " too large");
    }
    return entry.bytes();
  }

  @Override
  public void close() {}
}
