package io.pixartdelta.pixart.text;

/**
 * T5's bidirectional relative-position bucketing (transformers {@code
 * T5Attention._relative_position_bucket} with {@code bidirectional=True}).
 *
 * <p>Half of the buckets serve keys before (or at) the query, half keys after it. Within a half,
 * distances below {@code numBuckets / 4} get a bucket each; larger ones share log-spaced buckets up
 * to {@code maxDistance}, beyond which everything falls in the last bucket. The logarithm is
 * evaluated in float32 and truncated toward zero, as the reference does on float32 tensors, so that
 * the boundaries at exact powers (distance 16, 32, 64 for the real model) land on the same side.
 */
final class RelativePositionBuckets {
  private RelativePositionBuckets() {}

  /**
   * The bucket of {@code relativePosition = key − query}.
   *
   * @param numBuckets total buckets for both directions (32)
   * @param maxDistance distance mapped to the last bucket (128)
   */
  static int bucket(int relativePosition, int numBuckets, int maxDistance) {
    int half = numBuckets / 2;
    int base = relativePosition > 0 ? half : 0;
    int distance = Math.abs(relativePosition);
    int maxExact = half / 2;
    if (distance < maxExact) {
      return base + distance;
    }
    // float32 throughout: log(n / maxExact) / log(maxDistance / maxExact) · (half − maxExact).
    float logRatio = (float) Math.log((float) distance / (float) maxExact);
    float logRange = (float) Math.log((double) maxDistance / maxExact);
    float scaled = logRatio / logRange * (float) (half - maxExact);
    int large = maxExact + (int) scaled;
    return base + Math.min(large, half - 1);
  }

  /**
   * Buckets for every (query, key) pair, row-major over {@code (queryLength, keyLength)}, as int64
   * indices for an embedding lookup.
   */
  static long[] table(int queryLength, int keyLength, int numBuckets, int maxDistance) {
    long[] out = new long[queryLength * keyLength];
    for (int q = 0; q < queryLength; q++) {
      for (int k = 0; k < keyLength; k++) {
        out[q * keyLength + k] = bucket(k - q, numBuckets, maxDistance);
      }
    }
    return out;
  }
}
