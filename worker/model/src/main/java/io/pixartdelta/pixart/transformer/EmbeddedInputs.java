package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Everything the transformer blocks need, computed once per forward pass by {@link
 * PixArtTransformer#embedInputs}. The arrays belong to the manager of the latents passed there.
 *
 * <p>Shapes: B batch, N = gridHeight·gridWidth image tokens, L caption tokens, D hidden.
 *
 * @param tokens (B, N, D) patch tokens plus position embedding: the input of block 0
 * @param modulation (B, 6·D) adaLN-single block modulation ({@code timestep} in diffusers)
 * @param condition (B, D) conditioning vector used by the final layer ({@code embedded_timestep})
 * @param captions (B, L, D) projected captions: keys and values of every cross-attention
 * @param captionBias (B, 1, 1, L) additive cross-attention bias, −10000 on padding; {@code null}
 *     when no mask was given
 * @param gridHeight Hp, patch rows
 * @param gridWidth Wp, patch columns
 */
public record EmbeddedInputs(
    NDArray tokens,
    NDArray modulation,
    NDArray condition,
    NDArray captions,
    NDArray captionBias,
    int gridHeight,
    int gridWidth) {

  /** The arrays (without a null bias), e.g. to attach them to another manager in one call. */
  public NDList arrays() {
    NDList list = new NDList(tokens, modulation, condition, captions);
    if (captionBias != null) {
      list.add(captionBias);
    }
    return list;
  }
}
