package io.pixartdelta.pixart.pipeline;

/**
 * Wall-clock milliseconds per pipeline stage for one batch (device work included: each stage ends
 * by reading its result or synchronizing).
 */
public record PipelineTimings(
    long textEncodeMs, long denoiseMs, long decodeMs, long postprocessMs) {
  public long totalMs() {
    return textEncodeMs + denoiseMs + decodeMs + postprocessMs;
  }
}
