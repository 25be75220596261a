package io.pixartdelta.worker.storage;

/**
 * Deterministic object keys: {@code {prefix}/{jobId}/{index}.{ext}}.
 *
 * <p>The key never contains an attempt number or random part, so a redelivered job writes to the
 * same keys and the conditional upload keeps the first copy.
 */
public final class ObjectKeys {
  private ObjectKeys() {}

  /**
   * The key of image {@code index} of job {@code jobId}.
   *
   * @param prefix folder inside the bucket; empty or null for the bucket root; surrounding slashes
   *     are ignored
   * @param extension file extension without the dot, e.g. {@code png}
   */
  public static String imageKey(String prefix, String jobId, int index, String extension) {
    if (jobId == null || !jobId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException("jobId is not a valid job id: " + jobId);
    }
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, got " + index);
    }
    if (extension == null || !extension.matches("[a-z0-9]+")) {
      throw new IllegalArgumentException("extension must match [a-z0-9]+: " + extension);
    }
    String folder = trimSlashes(prefix == null ? "" : prefix);
    if (folder.contains("..") || folder.contains("//")) {
      throw new IllegalArgumentException("prefix must not contain '..' or '//': " + prefix);
    }
    String file = jobId + "/" + index + "." + extension;
    return folder.isEmpty() ? file : folder + "/" + file;
  }

  private static String trimSlashes(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && text.charAt(start) == '/') {
      start++;
    }
    while (end > start && text.charAt(end - 1) == '/') {
      end--;
    }
    return text.substring(start, end);
  }
}
