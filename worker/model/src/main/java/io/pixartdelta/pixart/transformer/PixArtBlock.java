package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.torchscript.PixArtBlockScript;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;
import java.util.List;

/**
 * One PixArt transformer block (diffusers {@code BasicTransformerBlock} with {@code norm_type =
 * "ada_norm_single"}, the original {@code PixArtMSBlock}):
 *
 * <ol>
 *   <li>{@code x += g1 · SelfAttn(LN(x)·(1 + sc1) + sh1)}
 *   <li>{@code x += CrossAttn(x, captions, captionBias)} (no norm, no modulation, no gate)
 *   <li>{@code x += g2 · FF(LN(x)·(1 + sc2) + sh2)}, FF = Linear → GELU-tanh → Linear (4·D wide)
 * </ol>
 *
 * where {@code (sh1, sc1, g1, sh2, sc2, g2)} are the rows of {@code scale_shift_table + mod}. The
 * same class serves the base model and the ControlNet's copied blocks (different weight prefix).
 *
 * <p>Shapes: B batch, N image tokens, L caption tokens, D hidden.
 */
public final class PixArtBlock {
  private final NDArray scaleShiftTable; // (6, D)
  private final MultiHeadAttention selfAttention;
  private final MultiHeadAttention crossAttention;
  private final LinearLayer feedForwardIn; // (4·D, D)
  private final LinearLayer feedForwardOut; // (D, 4·D)
  private final int dim;
  private final float eps;
  private final Kernels kernels;
  private final PixArtBlockScript script; // null: op by op
  private final List<NDArray> scriptParams;
  private final int heads;

  /**
   * The block whose parameters are stored under {@code prefix} (e.g. {@code
   * "transformer_blocks.3."} or {@code "controlnet_blocks.0.transformer_block."}).
   */
  public PixArtBlock(Weights weights, String prefix, PixArtConfig config, Kernels kernels) {
    this.scaleShiftTable = weights.get(prefix + "scale_shift_table");
    this.selfAttention =
        new MultiHeadAttention(
            weights,
            prefix + "attn1",
            config.numAttentionHeads(),
            config.attentionHeadDim(),
            kernels);
    this.crossAttention =
        new MultiHeadAttention(
            weights,
            prefix + "attn2",
            config.numAttentionHeads(),
            config.attentionHeadDim(),
            kernels);
    this.feedForwardIn = LinearLayer.of(weights, prefix + "ff.net.0.proj");
    this.feedForwardOut = LinearLayer.of(weights, prefix + "ff.net.2");
    this.dim = config.innerDim();
    this.eps = config.normEps();
    this.kernels = kernels;
    this.heads = config.numAttentionHeads();
    // With the TorchScript backend the whole block runs as one scripted call (the op-by-op path
    // below stays the readable reference and the plain backend's path).
    if (kernels instanceof TorchScriptKernels && config.attentionBias()) {
      this.script = ((TorchScriptKernels) kernels).pixartBlock();
      this.scriptParams = PixArtBlockScript.parameters(weights::get, prefix);
    } else {
      this.script = null;
      this.scriptParams = List.of();
    }
  }

  private NDArray scripted(NDArray x, NDArray mod, NDArray captions, NDArray captionBias) {
    try (NDManager scope = NDManager.subManagerOf(x)) {
      Scopes.attachInputs(scope, x, mod, captions, captionBias);
      NDArray bias = captionBias;
      if (bias == null) {
        // No mask: a zero bias (TorchScript methods cannot take None through DJL).
        bias =
            scope.zeros(
                new Shape(1, 1, 1, captions.getShape().get(1)), x.getDataType()); // (1, 1, 1, L)
      }
      NDArray h = script.forward(x, mod, captions, bias, heads, eps, scriptParams); // (B, N, D)
      return scope.ret(h);
    }
  }

  /** Declares this block's parameters under {@code prefix} (ending with a dot). */
  public static void declare(WeightSpec spec, String prefix, PixArtConfig config) {
    int d = config.innerDim();
    spec.expect(prefix + "scale_shift_table", PixArtConfig.MODULATION_CHUNKS, d);
    MultiHeadAttention.declare(spec, prefix + "attn1", d, config.attentionBias());
    MultiHeadAttention.declare(spec, prefix + "attn2", d, config.attentionBias());
    LinearLayer.declare(spec, prefix + "ff.net.0.proj", config.feedForwardDim(), d, true);
    LinearLayer.declare(spec, prefix + "ff.net.2", d, config.feedForwardDim(), true);
  }

  /**
   * Runs the block in its own scope; only the result is attached to {@code x}'s manager.
   *
   * @param x (B, N, D) token stream
   * @param mod (B, 6·D) adaLN-single modulation shared by all blocks
   * @param captions (B, L, D) projected captions
   * @param captionBias additive cross-attention bias (B, 1, 1, L), or {@code null} for no mask
   * @return (B, N, D)
   */
  public NDArray forward(NDArray x, NDArray mod, NDArray captions, NDArray captionBias) {
    if (script != null) {
      return scripted(x, mod, captions, captionBias);
    }
    try (NDManager scope = NDManager.subManagerOf(x)) {
      Scopes.attachInputs(scope, x, mod, captions, captionBias);
      long b = x.getShape().get(0);
      NDList m =
          mod.reshape(b, PixArtConfig.MODULATION_CHUNKS, dim)
              .add(scaleShiftTable)
              .split(PixArtConfig.MODULATION_CHUNKS, 1); // 6 × (B, 1, D)
      NDArray shiftMsa = m.get(0);
      NDArray scaleMsa = m.get(1);
      NDArray gateMsa = m.get(2);
      NDArray shiftMlp = m.get(3);
      NDArray scaleMlp = m.get(4);
      NDArray gateMlp = m.get(5);

      NDArray u = modulate(kernels.layerNorm(x, eps), shiftMsa, scaleMsa); // (B, N, D)
      NDArray h = selfAttention.forward(u, u, null).mul(gateMsa).add(x); // (B, N, D)
      h = crossAttention.forward(h, captions, captionBias).add(h); // (B, N, D)
      NDArray v = modulate(kernels.layerNorm(h, eps), shiftMlp, scaleMlp); // (B, N, D)
      NDArray f = feedForwardOut.apply(kernels.geluTanh(feedForwardIn.apply(v))); // (B, N, D)
      h = f.mul(gateMlp).add(h); // (B, N, D)
      return scope.ret(h);
    }
  }

  /** {@code normed·(1 + scale) + shift}, broadcasting (B, 1, D) over the tokens. */
  static NDArray modulate(NDArray normed, NDArray shift, NDArray scale) {
    return normed.mul(scale.add(1f)).add(shift);
  }
}
