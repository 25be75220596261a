package io.pixartdelta.producer;

/**
 * An object address {@code s3://bucket/key}.
 *
 * @param bucket bucket name
 * @param key object key, without a leading slash
 */
public record S3Location(String bucket, String key) {
  public S3Location {
    if (bucket == null || bucket.isEmpty() || bucket.contains("/")) {
      throw new IllegalArgumentException("bucket: required, without '/': " + bucket);
    }
    if (key == null || key.isEmpty() || key.startsWith("/")) {
      throw new IllegalArgumentException("key: required, without leading '/': " + key);
    }
  }

  /** Parses {@code s3://bucket/key}. */
  public static S3Location parse(String uri) {
    if (uri == null || !uri.startsWith("s3://")) {
      throw new IllegalArgumentException("not an s3:// URI: " + uri);
    }
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException("s3 URI needs a bucket and a key: " + uri);
    }
    return new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** The last path segment of the key. */
  public String fileName() {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
