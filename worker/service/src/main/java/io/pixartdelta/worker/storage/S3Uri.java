package io.pixartdelta.worker.storage;

/**
 * An {@code s3://bucket/key} address.
 *
 * @param bucket bucket name (3..63 characters: lower-case letters, digits, dots, hyphens)
 * @param key object key, not empty, without {@code .} or {@code ..} segments (between {@code /} or
 *     backslash)
 */
public record S3Uri(String bucket, String key) {
  private static final String SCHEME = "s3://";

  public S3Uri {
    if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new IllegalArgumentException("bucket is not a valid S3 bucket name: " + bucket);
    }
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    // Servers that resolve dot segments (file-system backends, proxies) would let a key climb
    // outside the folder it names; S3 itself treats them as plain text, so nothing needs them.
    for (String segment : key.split("[/\\\\]", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("key must not contain '.' or '..' segments: " + key);
      }
    }
  }

  /**
   * Parses {@code s3://bucket/key}.
   *
   * @throws IllegalArgumentException if the text is not such a URI
   */
  public static S3Uri parse(String text) {
    if (text == null || !text.startsWith(SCHEME)) {
      throw new IllegalArgumentException("not an s3:// URI: " + text);
    }
    String rest = text.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException("s3 URI needs a bucket and a key: " + text);
    }
    return new S3Uri(rest.substring(0, slash), rest.substring(slash + 1));
  }

  @Override
  public String toString() {
    return SCHEME + bucket + "/" + key;
  }
}
