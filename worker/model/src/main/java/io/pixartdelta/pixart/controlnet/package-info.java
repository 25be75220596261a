/**
 * PixArt-δ's ControlNet-Transformer (PixArt-alpha @cac2fd3b {@code
 * diffusion/model/nets/pixart_controlnet.py}; diffusers @58eb52c {@code
 * examples/research_projects/pixart/controlnet_pixart_alpha.py}): the control branch {@link
 * io.pixartdelta.pixart.controlnet.ControlNetAdapter} (trainable copies of the first base blocks
 * with zero-initialised {@code before_proj}/{@code after_proj} linears), the wrapper {@link
 * io.pixartdelta.pixart.controlnet.PixArtControlNetTransformer} that injects the branch into a
 * {@link io.pixartdelta.pixart.transformer.PixArtTransformer}, and the two published checkpoint
 * forms: the diffusers-style adapter folder and the official {@code
 * PixArt-XL-2-1024-ControlNet.pth} ({@link
 * io.pixartdelta.pixart.controlnet.OriginalControlNetCheckpoint}), which also carries the base
 * weights the branch was trained against.
 */
package io.pixartdelta.pixart.controlnet;
