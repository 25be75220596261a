package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;

/**
 * What a forward pass is conditioned on besides the timestep; fixed for a whole denoising run.
 * Shapes are checked against the model by {@link PixArtTransformer#embedInputs}.
 *
 * @param captions (B, L, Cc) text-encoder output ({@code encoder_hidden_states})
 * @param captionMask (B, L), 1 for real tokens (EOS included), 0 for padding; {@code null} keeps
 *     every position ({@code encoder_attention_mask})
 * @param resolution (B, 2) image height and width in pixels; required with micro-conditions
 * @param aspectRatio (B, 1) image height / width; required with micro-conditions
 */
public record Conditions(
    NDArray captions, NDArray captionMask, NDArray resolution, NDArray aspectRatio) {

  public Conditions {
    if (captions == null) {
      throw new IllegalArgumentException("captions are required");
    }
  }
}
