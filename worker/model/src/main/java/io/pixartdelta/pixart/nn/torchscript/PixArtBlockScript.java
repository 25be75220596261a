package io.pixartdelta.pixart.nn.torchscript;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One PixArt-α transformer block (diffusers {@code BasicTransformerBlock} with {@code
 * norm_type="ada_norm_single"}) as a single TorchScript method ({@code pixart_block.py} next to
 * this class): adaLN-modulated self-attention with gate, unmodulated cross-attention with the
 * caption bias, adaLN-modulated GELU-tanh feed-forward with gate. Weights are passed per call, so
 * one instance serves all 28 blocks (and the ControlNet copies).
 *
 * <p>Shapes: B batch, N image tokens, L caption tokens, D hidden width (heads × head width).
 *
 * <p>Thread-safe; the result is attached to {@code x}'s manager.
 */
public final class PixArtBlockScript implements AutoCloseable {
  /**
   * The block's parameters relative to {@code transformer_blocks.<l>.}, in the order {@link
   * #forward} takes them.
   */
  public static final List<String> PARAMETERS =
      List.of(
          "scale_shift_table",
          "attn1.to_q.weight",
          "attn1.to_q.bias",
          "attn1.to_k.weight",
          "attn1.to_k.bias",
          "attn1.to_v.weight",
          "attn1.to_v.bias",
          "attn1.to_out.0.weight",
          "attn1.to_out.0.bias",
          "attn2.to_q.weight",
          "attn2.to_q.bias",
          "attn2.to_k.weight",
          "attn2.to_k.bias",
          "attn2.to_v.weight",
          "attn2.to_v.bias",
          "attn2.to_out.0.weight",
          "attn2.to_out.0.bias",
          "ff.net.0.proj.weight",
          "ff.net.0.proj.bias",
          "ff.net.2.weight",
          "ff.net.2.bias");

  static final String CLASS_NAME = "PixArtBlocks";
  static final String SOURCE = "pixart_block.py";
  static final String METHOD = "pixart_block";

  private final TorchScriptModule module;

  private PixArtBlockScript(TorchScriptModule module) {
    this.module = module;
  }

  /** Compiles the block on {@code owner}'s device, closed with {@code owner} (or by close()). */
  public static PixArtBlockScript load(NDManager owner) {
    return new PixArtBlockScript(
        TorchScriptModule.load(
            CLASS_NAME, TorchScriptModule.resource(PixArtBlockScript.class, SOURCE), owner));
  }

  /** Compiles the block with a manager of its own on {@code device}. */
  public static PixArtBlockScript load(Device device) {
    return new PixArtBlockScript(
        TorchScriptModule.load(
            CLASS_NAME, TorchScriptModule.resource(PixArtBlockScript.class, SOURCE), device));
  }

  /**
   * The parameters of the block at {@code prefix} (e.g. {@code "transformer_blocks.3."}) in {@link
   * #PARAMETERS} order, looked up by full name (e.g. {@code weights::get}).
   */
  public static List<NDArray> parameters(Function<String, NDArray> lookup, String prefix) {
    List<NDArray> out = new ArrayList<>(PARAMETERS.size());
    for (String name : PARAMETERS) {
      out.add(lookup.apply(prefix + name));
    }
    return out;
  }

  /**
   * Runs one block.
   *
   * @param x (B, N, D) image tokens
   * @param mod (B, 6·D) adaLN-single output ({@code adaln_single.linear(SiLU(cond))})
   * @param captions (B, L, D) projected captions
   * @param crossBias additive caption bias broadcastable to (B, heads, N, L), e.g. (B, 1, 1, L)
   *     with 0 for real tokens and −10000 for padding
   * @param heads attention heads (D divisible by it)
   * @param eps LayerNorm epsilon (1e-6 for PixArt)
   * @param params the block's weights in {@link #PARAMETERS} order
   * @return (B, N, D)
   */
  public NDArray forward(
      NDArray x,
      NDArray mod,
      NDArray captions,
      NDArray crossBias,
      int heads,
      float eps,
      List<NDArray> params) {
    if (params.size() != PARAMETERS.size()) {
      throw new IllegalArgumentException(
          "params: expected "
              + PARAMETERS.size()
              + " tensors "
              + PARAMETERS
              + ", got "
              + params.size());
    }
    if (heads <= 0) {
      throw new IllegalArgumentException("heads must be positive: " + heads);
    }
    Object[] args = new Object[6 + params.size()];
    args[0] = x;
    args[1] = mod;
    args[2] = captions;
    args[3] = crossBias;
    args[4] = (long) heads;
    args[5] = (double) eps;
    for (int i = 0; i < params.size(); i++) {
      args[6 + i] = params.get(i);
    }
    return module.call(METHOD, args); // (B, N, D)
  }

  /** The underlying module. */
  public TorchScriptModule module() {
    return module;
  }

  /** Frees the native module. */
  @Override
  public void close() {
    module.close();
  }
}
