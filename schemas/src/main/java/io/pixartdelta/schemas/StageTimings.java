package io.pixartdelta.schemas;

/**
 * Wall-clock milliseconds per stage of a job; a stage that did not run (yet) is null.
 *
 * <p>Batch-level stages ({@code textEncodeMs}, {@code denoiseMs}, {@code decodeMs}) report the
 * whole micro-batch's time; the others are this job's own.
 *
 * @param queueWaitMs from reading the job off Kafka to the start of its batch
 * @param textEncodeMs T5 prompt encoding
 * @param denoiseMs all transformer denoising steps
 * @param decodeMs VAE decoding to pixels
 * @param encodeMs PNG/JPEG encoding of this job's images
 * @param uploadMs storing this job's images in S3
 */
public record StageTimings(
    Long queueWaitMs,
    Long textEncodeMs,
    Long denoiseMs,
    Long decodeMs,
    Long encodeMs,
    Long uploadMs) {

  /** No stage measured. */
  public static final StageTimings NONE = new StageTimings(null, null, null, null, null, null);

  /** Rejects negative durations. */
  public StageTimings {
    nonNegative("timings.queueWaitMs", queueWaitMs);
    nonNegative("timings.textEncodeMs", textEncodeMs);
    nonNegative("timings.denoiseMs", denoiseMs);
    nonNegative("timings.decodeMs", decodeMs);
    nonNegative("timings.encodeMs", encodeMs);
    nonNegative("timings.uploadMs", uploadMs);
  }

  private static void nonNegative(String field, Long value) {
    if (value != null) {
      Checks.range(field, value, 0, Long.MAX_VALUE);
    }
  }

  /** A copy with the queue wait set. */
  public StageTimings withQueueWaitMs(long value) {
    return new StageTimings(value, textEncodeMs, denoiseMs, decodeMs, encodeMs, uploadMs);
  }

  /** A copy with the model stages set (text encoding, denoising, VAE decoding). */
  public StageTimings withModelMs(long textEncode, long denoise, long decode) {
    return new StageTimings(queueWaitMs, textEncode, denoise, decode, encodeMs, uploadMs);
  }

  /** A copy with the image encoding time set. */
  public StageTimings withEncodeMs(long value) {
    return new StageTimings(queueWaitMs, textEncodeMs, denoiseMs, decodeMs, value, uploadMs);
  }

  /** A copy with the upload time set. */
  public StageTimings withUploadMs(long value) {
    return new StageTimings(queueWaitMs, textEncodeMs, denoiseMs, decodeMs, encodeMs, value);
  }
}
