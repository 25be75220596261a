/**
 * The PixArt-α diffusion transformer (PixArt-XL-2 / PixArt-LCM-XL-2-1024-MS) on DJL: config, strict
 * weight layout, forward pass with public stages for a ControlNet to hook between blocks, and the
 * key mapping from the original PixArt checkpoints to the diffusers names.
 *
 * <p>Every public forward method runs in its own NDManager scope and attaches only its result to
 * the caller's manager; parameters stay in the capped manager of {@link
 * io.pixartdelta.pixart.weights.Weights}.
 */
package io.pixartdelta.pixart.transformer;
