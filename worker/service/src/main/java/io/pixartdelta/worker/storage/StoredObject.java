package io.pixartdelta.worker.storage;

import java.util.Map;
import java.util.Objects;

/**
 * An object as it is in the store after an upload.
 *
 * @param uri where it is
 * @param bytes its size
 * @param contentType its MIME type
 * @param metadata its user metadata
 * @param reused true when an earlier upload to the same key was kept (this one was not written)
 */
public record StoredObject(
    S3Uri uri, long bytes, String contentType, Map<String, String> metadata, boolean reused) {
  public StoredObject {
    Objects.requireNonNull(uri, "uri");
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
    Objects.requireNonNull(contentType, "contentType");
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }
}
