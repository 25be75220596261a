package io.pixartdelta.pixart.nn.torchscript;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * One T5 v1.1 encoder block as a single TorchScript method ({@code t5_block.py} next to this
 * class): pre-norm self-attention (relative-position + padding bias, scale 1) and pre-norm gated
 * tanh-GELU feed-forward, both residual. Weights are passed per call, so one instance serves all
 * blocks. Follows T5's precision plan: the residual stream, RMS norms (fp32 variance), gated
 * product and {@code wo} in fp32; q, k, v, o, wi_0 and wi_1 in the compute type.
 *
 * <p>Shapes: B batch, L tokens, D {@code d_model}, H heads, F {@code d_ff}.
 *
 * <p>Thread-safe; the result is attached to {@code h}'s manager.
 */
public final class T5BlockScript implements AutoCloseable {
  /** The block's full-precision parameters, in the order {@link #forward} takes them. */
  public static final List<String> PARAMETERS =
      List.of(
          "layer.0.layer_norm.weight",
          "layer.0.SelfAttention.q.weight",
          "layer.0.SelfAttention.k.weight",
          "layer.0.SelfAttention.v.weight",
          "layer.0.SelfAttention.o.weight",
          "layer.1.layer_norm.weight",
          "layer.1.DenseReluDense.wi_0.weight",
          "layer.1.DenseReluDense.wi_1.weight",
          "layer.1.DenseReluDense.wo.weight");

  /**
   * The int8 variant's order: each linear weight (INT8, (rows, cols)) is followed by its (rows, 1)
   * scales, whose type is the type the layer computes in (fp32 for {@code wo}).
   */
  public static final List<String> INT8_PARAMETERS =
      List.of(
          "layer.0.layer_norm.weight",
          "layer.0.SelfAttention.q.weight",
          "layer.0.SelfAttention.q.weight_scale",
          "layer.0.SelfAttention.k.weight",
          "layer.0.SelfAttention.k.weight_scale",
          "layer.0.SelfAttention.v.weight",
          "layer.0.SelfAttention.v.weight_scale",
          "layer.0.SelfAttention.o.weight",
          "layer.0.SelfAttention.o.weight_scale",
          "layer.1.layer_norm.weight",
          "layer.1.DenseReluDense.wi_0.weight",
          "layer.1.DenseReluDense.wi_0.weight_scale",
          "layer.1.DenseReluDense.wi_1.weight",
          "layer.1.DenseReluDense.wi_1.weight_scale",
          "layer.1.DenseReluDense.wo.weight",
          "layer.1.DenseReluDense.wo.weight_scale");

  static final String CLASS_NAME = "T5Blocks";
  static final String SOURCE = "t5_block.py";

  private final TorchScriptModule module;

  private T5BlockScript(TorchScriptModule module) {
    this.module = module;
  }

  /** Compiles the block on {@code owner}'s device, closed with {@code owner} (or by close()). */
  public static T5BlockScript load(NDManager owner) {
    return new T5BlockScript(
        TorchScriptModule.load(
            CLASS_NAME, TorchScriptModule.resource(T5BlockScript.class, SOURCE), owner));
  }

  /** Compiles the block with a manager of its own on {@code device}. */
  public static T5BlockScript load(Device device) {
    return new T5BlockScript(
        TorchScriptModule.load(
            CLASS_NAME, TorchScriptModule.resource(T5BlockScript.class, SOURCE), device));
  }

  /**
   * Runs one block.
   *
   * @param h (B, L, D) fp32 residual stream
   * @param bias (B or 1, H, L, L) additive attention bias (relative position + key padding), cast
   *     to the compute type inside
   * @param heads H (the projections' width divisible by it)
   * @param eps RMS norm epsilon
   * @param params {@link #PARAMETERS} (full weights) or {@link #INT8_PARAMETERS} (int8 + scales)
   * @return (B, L, D) fp32
   */
  public NDArray forward(NDArray h, NDArray bias, int heads, float eps, List<NDArray> params) {
    String method;
    if (params.size() == PARAMETERS.size()) {
      method = "t5_block";
    } else if (params.size() == INT8_PARAMETERS.size()) {
      method = "t5_block_int8";
    } else {
      throw new IllegalArgumentException(
          "params: expected "
              + PARAMETERS.size()
              + " tensors "
              + PARAMETERS
              + " or "
              + INT8_PARAMETERS.size()
              + " "
              + INT8_PARAMETERS
              + ", got "
              + params.size());
    }
    if (heads <= 0) {
      throw new IllegalArgumentException("heads must be positive: " + heads);
    }
    Object[] args = new Object[4 + params.size()];
    args[0] = h;
    args[1] = bias;
    args[2] = (long) heads;
    args[3] = (double) eps;
    for (int i = 0; i < params.size(); i++) {
      args[4 + i] = params.get(i);
    }
    return module.call(method, args); // (B, L, D)
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
