/**
 * The SD-1.x VAE ({@code AutoencoderKL}): {@link io.pixartdelta.pixart.vae.AutoencoderKl} decodes
 * latents into images and encodes images into a {@link io.pixartdelta.pixart.vae.LatentDist};
 * {@link io.pixartdelta.pixart.vae.VaeConfig} reads diffusers' {@code vae/config.json}.
 *
 * <p>Shape legend: B batch, C channels, H×W spatial size, L latent channels, N = H·W tokens.
 */
package io.pixartdelta.pixart.vae;
