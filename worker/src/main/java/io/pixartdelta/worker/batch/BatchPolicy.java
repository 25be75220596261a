package io.pixartdelta.worker.batch;

import java.time.Duration;

/**
 * When a batch closes.
 *
 * @param maxBatchSize a batch closes as soon as it has this many items (1..64); raise it on a big
 *     GPU, lower it when memory is tight
 * @param maxWait a batch also closes when its oldest item has waited this long; keep it well below
 *     the latency target minus the render time
 */
public record BatchPolicy(int maxBatchSize, Duration maxWait) {
  public BatchPolicy {
    if (maxBatchSize < 1 || maxBatchSize > 64) {
      throw new IllegalArgumentException("maxBatchSize must be 1..64, got " + maxBatchSize);
    }
    if (maxWait == null || maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must be >= 0, got " + maxWait);
    }
  }
}
