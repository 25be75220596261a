package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.util.List;

/**
 * A 2-D convolution with bias: weight (O, I, k, k), bias (O). Run through DJL's static {@code
 * Conv2d.conv2d}, which attaches the result to the input's manager (never to the weights').
 */
final class ConvLayer {
  private static final Shape NO_DILATION = new Shape(1, 1);

  private final NDArray weight;
  private final NDArray bias;
  private final Shape stride;
  private final Shape padding;

  private ConvLayer(NDArray weight, NDArray bias, int stride, int padding) {
    this.weight = weight;
    this.bias = bias;
    this.stride = new Shape(stride, stride);
    this.padding = new Shape(padding, padding);
  }

  /** {@code prefix.weight} (out, in, k, k) and {@code prefix.bias} (out). */
  static ConvLayer of(
      VaeParams p, String prefix, int in, int out, int kernel, int stride, int padding) {
    return new ConvLayer(
        p.get(prefix + ".weight", out, in, kernel, kernel),
        p.get(prefix + ".bias", out),
        stride,
        padding);
  }

  /** 3×3, stride 1, padding 1: keeps the spatial size. */
  static ConvLayer same3x3(VaeParams p, String prefix, int in, int out) {
    return of(p, prefix, in, out, 3, 1, 1);
  }

  /** 1×1 projection. */
  static ConvLayer pointwise(VaeParams p, String prefix, int in, int out) {
    return of(p, prefix, in, out, 1, 1, 0);
  }

  /**
   * @param x (B, I, H, W)
   * @return (B, O, H', W')
   */
  NDArray forward(NDArray x) {
    return Conv2d.conv2d(x, weight, bias, stride, padding, NO_DILATION, 1).singletonOrThrow();
  }

  /**
   * Appends this 3×3 convolution, applied after a nearest ×2 upsample, as the transposed
   * convolution {@code script}'s up block runs: kernel (in, out, 4, 4), and bias.
   */
  void appendAsUpsamplerTo(List<NDArray> params, VaeBlockScript script) {
    params.add(script.upsamplerKernel(weight)); // (in, out, 4, 4)
    params.add(bias);
  }

  /** Appends weight and bias for a block script. */
  void appendTo(List<NDArray> params) {
    params.add(weight);
    params.add(bias);
  }
}
