package io.pixartdelta.worker.render;

/**
 * Wall time the renderer spent per stage on the batch an item was part of.
 *
 * @param textEncodeMs prompt encoding (T5)
 * @param denoiseMs denoising loop (transformer + scheduler)
 * @param decodeMs latent decoding (VAE) and conversion to 8-bit images
 */
public record StageMillis(long textEncodeMs, long denoiseMs, long decodeMs) {
  /** No time measured. */
  public static final StageMillis ZERO = new StageMillis(0, 0, 0);

  public StageMillis {
    if (textEncodeMs < 0 || denoiseMs < 0 || decodeMs < 0) {
      throw new IllegalArgumentException(
          "stage times must be >= 0, got " + textEncodeMs + "/" + denoiseMs + "/" + decodeMs);
    }
  }
}
