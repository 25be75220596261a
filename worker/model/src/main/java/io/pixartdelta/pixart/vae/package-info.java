/**
 * The SD-1.x VAE ({@code AutoencoderKL}): {@link io.pixartdelta.pixart.vae.AutoencoderKl} decodes
 * latents into images and encodes images into a {@link io.pixartdelta.pixart.vae.LatentDist};
 * {@link io.pixartdelta.pixart.vae.VaeConfig} reads diffusers' {@code vae/config.json}.
 *
 * <p>Two backends share the layer classes: op by op through {@link
 * io.pixartdelta.pixart.nn.Kernels} (the readable reference), and, when built with {@link
 * io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels}, one TorchScript call per block through
 * {@link io.pixartdelta.pixart.nn.torchscript.VaeBlockScript}.
 *
 * <p>Shape legend: B batch, C channels, H×W spatial size, L latent channels, N = H·W tokens.
 */
package io.pixartdelta.pixart.vae;
