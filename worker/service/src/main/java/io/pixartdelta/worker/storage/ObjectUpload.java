package io.pixartdelta.worker.storage;

import java.util.Map;
import java.util.Objects;

/**
 * One object to upload.
 *
 * @param bucket target bucket
 * @param key object key, see {@link ObjectKeys}
 * @param bytes the content
 * @param contentType MIME type, e.g. {@code image/png}
 * @param metadata user metadata ({@code x-amz-meta-*}), lower-case keys, compact values
 */
public record ObjectUpload(
    String bucket, String key, byte[] bytes, String contentType, Map<String, String> metadata) {
  public ObjectUpload {
    requireText(bucket, "bucket");
    requireText(key, "key");
    Objects.requireNonNull(bytes, "bytes");
    requireText(contentType, "contentType");
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    for (String name : metadata.keySet()) {
      if (!name.matches("[a-z0-9-]+")) {
        throw new IllegalArgumentException("metadata key must match [a-z0-9-]+: " + name);
      }
    }
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
  }

  /** Where the object goes. */
  public S3Uri uri() {
    return new S3Uri(bucket, key);
  }
}
