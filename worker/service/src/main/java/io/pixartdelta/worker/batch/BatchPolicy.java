package io.pixartdelta.worker.batch;

import java.time.Duration;

/**
 * When a batch closes.
 *
 * @param maxBatchSize a batch closes as soon as it has this many items (1..64); raise it on a big
 *     GPU, lower it when memory is tight
 * @param maxWait a batch also closes when its oldest item has waited this long; keep it well below
 *     the latency target minus the render time
 * @param maxBatchPixels bound on width × height × batch size, so every resolution bin fits the same
 *     memory budget (8 × 1024² allows batch 8 at 1024 px, 32 at 512 px); 0 = no bound
 */
public record BatchPolicy(int maxBatchSize, Duration maxWait, long maxBatchPixels) {
  /** A policy without a pixel bound. */
  public BatchPolicy(int maxBatchSize, Duration maxWait) {
    this(maxBatchSize, maxWait, 0);
  }

  /** The batch size for items of {@code key}: the fixed maximum, lowered for large renders. */
  public int maxBatchSize(BatchKey key) {
    if (maxBatchPixels <= 0) {
      return maxBatchSize;
    }
    long pixels = (long) key.width() * key.height();
    return (int) Math.max(1, Math.min(maxBatchSize, maxBatchPixels / pixels));
  }

  public BatchPolicy {
    if (maxBatchPixels < 0) {
      throw new IllegalArgumentException("maxBatchPixels must be >= 0, got " + maxBatchPixels);
    }
    if (maxBatchSize < 1 || maxBatchSize > 64) {
      throw new IllegalArgumentException("maxBatchSize must be 1..64, got " + maxBatchSize);
    }
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must be >= 0, got " + maxWait);
    }
  }
}
