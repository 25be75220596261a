package io.pixartdelta.pixart.controlnet;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.transformer.Conditions;
import io.pixartdelta.pixart.transformer.EmbeddedInputs;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import java.util.Objects;

/**
 * PixArt-δ's ControlNet-Transformer (PixArt-alpha @cac2fd3b {@code
 * diffusion/model/nets/pixart_controlnet.py}, {@code ControlPixArtMSHalf}): a frozen {@link
 * PixArtTransformer} whose blocks 1..N receive the residuals of a {@link ControlNetAdapter} running
 * on its own control stream.
 *
 * <pre>
 *   x ← base block 0 (patch-embed+PE(latents))
 *   c ← x + before_proj(patch-embed+PE(control))          (the base model's own embedding)
 *   for k = 1..N:  c ← copy_{k−1}(c);  x ← base block k (x + scale · after_proj_{k−1}(c))
 *   x ← base blocks N+1..end (x);  output ← final layer (x)
 * </pre>
 *
 * The control stream never sees the scale, so the scale multiplies exactly the injected residuals.
 * The official code has no scale (it is 1.0); scale 0 (or no control input) runs the base model
 * alone and reproduces it exactly.
 *
 * <p>Does not own the base transformer or the adapter: close them separately.
 *
 * <p>Shapes: B batch, C latent channels, H×W latent size, N image tokens, L caption tokens, Cc
 * caption channels, D hidden, C' output channels.
 *
 * <p>Ported from diffusers {@code examples/research_projects/pixart/controlnet_pixart_alpha.py}
 * ({@code PixArtControlNetTransformerModel.forward}) @58eb52c.
 */
public final class PixArtControlNetTransformer {

  /** Receives named intermediates during a forward pass (for parity tests). */
  @FunctionalInterface
  interface Probe {
    Probe NONE = (name, value) -> {};

    /** {@code value} is only valid during the call. */
    void accept(String name, NDArray value);
  }

  /** The official model's (implicit) conditioning scale. */
  public static final float DEFAULT_CONDITIONING_SCALE = 1f;

  private final PixArtTransformer base;
  private final ControlNetAdapter adapter;

  /**
   * Pairs a base transformer with a control branch sized for it.
   *
   * @throws IllegalArgumentException if the branch's block width differs from the base's, it has as
   *     many copies as the base has blocks or more (copy k feeds base block k + 1), or the two live
   *     on different devices or dtypes
   */
  public PixArtControlNetTransformer(PixArtTransformer base, ControlNetAdapter adapter) {
    this.base = Objects.requireNonNull(base, "base");
    this.adapter = Objects.requireNonNull(adapter, "adapter");
    PixArtConfig b = base.config();
    PixArtConfig a = adapter.transformerConfig();
    if (a.numAttentionHeads() != b.numAttentionHeads()
        || a.attentionHeadDim() != b.attentionHeadDim()) {
      throw new IllegalArgumentException(
          "adapter blocks are "
              + a.numAttentionHeads()
              + " heads × "
              + a.attentionHeadDim()
              + " but the base transformer's are "
              + b.numAttentionHeads()
              + " × "
              + b.attentionHeadDim());
    }
    if (adapter.numLayers() >= base.numBlocks()) {
      throw new IllegalArgumentException(
          "adapter has "
              + adapter.numLayers()
              + " copied blocks but the base transformer only "
              + base.numBlocks()
              + " blocks; copy k feeds base block k + 1");
    }
    if (!adapter.device().equals(base.device()) || adapter.dataType() != base.dataType()) {
      throw new IllegalArgumentException(
          "adapter on "
              + adapter.device()
              + " as "
              + adapter.dataType()
              + " but base transformer on "
              + base.device()
              + " as "
              + base.dataType());
    }
  }

  public PixArtTransformer base() {
    return base;
  }

  public ControlNetAdapter adapter() {
    return adapter;
  }

  /**
   * The controlled forward pass. The first three arguments are those of {@link
   * PixArtTransformer#forward(NDArray, NDArray, Conditions)}; with classifier-free guidance the
   * caller doubles {@code controlLatents} along with the latents.
   *
   * @param latents (B, C, H, W)
   * @param timesteps (B)
   * @param conditions captions (B, L, Cc), their mask, resolution (B, 2) and aspect ratio (B, 1)
   * @param controlLatents (B, C, H, W) the control image's VAE latent × scaling factor (0.18215),
   *     same shape as {@code latents}; {@code null} runs the base model alone
   * @param conditioningScale factor on every injected residual (1.0 = the official model; 0 = the
   *     base model, exactly); must be finite
   * @return (B, C', H, W) in the model dtype, attached to {@code latents}' manager
   */
  public NDArray forward(
      NDArray latents,
      NDArray timesteps,
      Conditions conditions,
      NDArray controlLatents,
      float conditioningScale) {
    return forward(latents, timesteps, conditions, controlLatents, conditioningScale, Probe.NONE);
  }

  /** {@link #forward} reporting intermediates under the reference's module names. */
  NDArray forward(
      NDArray latents,
      NDArray timesteps,
      Conditions conditions,
      NDArray controlLatents,
      float conditioningScale,
      Probe probe) {
    if (!Float.isFinite(conditioningScale)) {
      throw new IllegalArgumentException(
          "conditioningScale must be finite, got " + conditioningScale);
    }
    if (controlLatents != null && !controlLatents.getShape().equals(latents.getShape())) {
      throw new IllegalArgumentException(
          "controlLatents must have the latents' shape "
              + latents.getShape()
              + ", got "
              + controlLatents.getShape());
    }
    if (controlLatents == null || conditioningScale == 0f) {
      // No residual reaches the base stream: skip the branch so the result is the base model's.
      return base.forward(latents, timesteps, conditions);
    }
    return base.forward(
        latents,
        timesteps,
        conditions,
        inputs -> controlledBlocks(inputs, controlLatents, conditioningScale, probe));
  }

  /**
   * The base blocks with the branch's residuals injected into blocks 1..N.
   *
   * @return (B, N, D) the last base block's output
   */
  private NDArray controlledBlocks(
      EmbeddedInputs inputs, NDArray controlLatents, float conditioningScale, Probe probe) {
    NDArray control = base.embedPatches(controlLatents); // (B, N, D)
    control.attach(inputs.tokens().getManager()); // the forward's scope, freed on failure too
    probe.accept("transformer.pos_embed.call0", inputs.tokens());
    probe.accept("transformer.pos_embed.call1", control);

    // Superseded activations are freed as the streams advance (each is B × N × D: 4.7M values
    // per image at 1024 px), so the scope holds a few, not one per block.
    NDArray x = base.block(0, inputs.tokens(), inputs); // (B, N, D)
    inputs.tokens().close();
    probe.accept("transformer.transformer_blocks.0", x);
    NDArray c = adapter.start(x, control); // (B, N, D)
    control.close();
    for (int k = 0; k < adapter.numLayers(); k++) {
      NDArray next = adapter.block(k, c, inputs); // (B, N, D)
      c.close();
      c = next;
      NDArray residual = adapter.toBase(k, c); // (B, N, D)
      probe.accept("controlnet.controlnet_blocks." + k + ".to_base", residual);
      probe.accept("controlnet.controlnet_blocks." + k + ".control_state", c);
      NDArray scaled = conditioningScale == 1f ? residual : residual.mul(conditioningScale);
      NDArray injected = x.add(scaled); // (B, N, D)
      NDArray out = base.block(k + 1, injected, inputs); // (B, N, D)
      x.close();
      injected.close();
      if (scaled != residual) {
        scaled.close();
      }
      residual.close();
      x = out;
      probe.accept("transformer.transformer_blocks." + (k + 1), x);
    }
    c.close();
    for (int i = adapter.numLayers() + 1; i < base.numBlocks(); i++) {
      NDArray out = base.block(i, x, inputs); // (B, N, D)
      x.close();
      x = out;
      probe.accept("transformer.transformer_blocks." + i, x);
    }
    return x;
  }
}
