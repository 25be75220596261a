package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.control.ControlImageLimits;
import io.pixartdelta.worker.batch.BatchPolicy;
import io.pixartdelta.worker.storage.BucketAllowList;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link RenderService}.
 *
 * @param workerId this worker's id, in status events and object metadata
 * @param batch micro-batch closing rule
 * @param uploadThreads threads encoding and uploading finished batches
 * @param maxControlImageBytes largest control image accepted (encoded bytes)
 * @param maxControlImagePixels largest control image accepted (width · height, from the header,
 *     checked before decoding)
 * @param controlImageMemory bytes of decoded control images (3 per pixel) held at once by all the
 *     jobs between planning and completion; planning waits while it is spent
 * @param defaultBucket bucket for jobs that name none
 * @param defaultPrefix key prefix for jobs that name none (may be empty)
 * @param allowList buckets jobs may use
 * @param pngCompressionLevel PNG deflate level 0..9
 * @param uploadOutageWait how long a rendered job keeps retrying while S3 fails transiently (the
 *     backlog then fills and consumption pauses) before it fails with {@code upload-failed}; zero
 *     fails at once after the store's own retries
 * @param parameterEmbedding whether and for which jobs images carry their parameters
 */
public record RenderSettings(
    String workerId,
    BatchPolicy batch,
    int uploadThreads,
    long maxControlImageBytes,
    long maxControlImagePixels,
    long controlImageMemory,
    String defaultBucket,
    String defaultPrefix,
    BucketAllowList allowList,
    int pngCompressionLevel,
    Duration uploadOutageWait,
    ParameterEmbedding parameterEmbedding) {
  public RenderSettings {
    if (workerId == null || workerId.isBlank()) {
      throw new IllegalArgumentException("workerId must not be blank");
    }
    Objects.requireNonNull(batch, "batch");
    if (uploadThreads < 1) {
      throw new IllegalArgumentException("uploadThreads must be >= 1, got " + uploadThreads);
    }
    if (maxControlImageBytes < 1) {
      throw new IllegalArgumentException(
          "maxControlImageBytes must be >= 1, got " + maxControlImageBytes);
    }
    if (maxControlImagePixels < 1) {
      throw new IllegalArgumentException(
          "maxControlImagePixels must be >= 1, got " + maxControlImagePixels);
    }
    if (controlImageMemory < 1) {
      throw new IllegalArgumentException(
          "controlImageMemory must be >= 1, got " + controlImageMemory);
    }
    if (defaultBucket == null || defaultBucket.isBlank()) {
      throw new IllegalArgumentException("defaultBucket must not be blank");
    }
    Objects.requireNonNull(defaultPrefix, "defaultPrefix");
    Objects.requireNonNull(allowList, "allowList");
    if (pngCompressionLevel < 0 || pngCompressionLevel > 9) {
      throw new IllegalArgumentException(
          "pngCompressionLevel must be 0..9, got " + pngCompressionLevel);
    }
    if (uploadOutageWait == null || uploadOutageWait.isNegative()) {
      throw new IllegalArgumentException("uploadOutageWait must be >= 0, got " + uploadOutageWait);
    }
    Objects.requireNonNull(parameterEmbedding, "parameterEmbedding");
  }

  /** Settings with {@link ParameterEmbedding#DEFAULT}. */
  public RenderSettings(
      String workerId,
      BatchPolicy batch,
      int uploadThreads,
      long maxControlImageBytes,
      long maxControlImagePixels,
      long controlImageMemory,
      String defaultBucket,
      String defaultPrefix,
      BucketAllowList allowList,
      int pngCompressionLevel,
      Duration uploadOutageWait) {
    this(
        workerId,
        batch,
        uploadThreads,
        maxControlImageBytes,
        maxControlImagePixels,
        controlImageMemory,
        defaultBucket,
        defaultPrefix,
        allowList,
        pngCompressionLevel,
        uploadOutageWait,
        ParameterEmbedding.DEFAULT);
  }

  /** The limits control images are decoded with. */
  public ControlImageLimits controlLimits() {
    return new ControlImageLimits(maxControlImagePixels, maxControlImageBytes);
  }
}
