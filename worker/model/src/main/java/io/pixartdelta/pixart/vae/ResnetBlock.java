package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.nn.Kernels;
import java.util.List;

/**
 * diffusers' {@code ResnetBlock2D} ({@code models/resnet.py} @58eb52c) without time embedding:
 * {@code h = conv2(SiLU(norm2(conv1(SiLU(norm1(x))))))}, output {@code skip(x) + h}, where skip is
 * a 1×1 {@code conv_shortcut} when the width changes and the identity otherwise.
 */
final class ResnetBlock {
  private final GroupNormLayer norm1;
  private final ConvLayer conv1;
  private final GroupNormLayer norm2;
  private final ConvLayer conv2;
  private final ConvLayer shortcut;

  /** Parameters under {@code prefix} ({@code ...resnets.i}); {@code in → out} channels. */
  ResnetBlock(VaeParams p, String prefix, int in, int out, int groups, Kernels kernels) {
    norm1 = new GroupNormLayer(p, prefix + ".norm1", in, groups, kernels);
    conv1 = ConvLayer.same3x3(p, prefix + ".conv1", in, out);
    norm2 = new GroupNormLayer(p, prefix + ".norm2", out, groups, kernels);
    conv2 = ConvLayer.same3x3(p, prefix + ".conv2", out, out);
    shortcut = in == out ? null : ConvLayer.pointwise(p, prefix + ".conv_shortcut", in, out);
  }

  /**
   * @param x (B, in, H, W)
   * @return (B, out, H, W)
   */
  NDArray forward(NDArray x) {
    try (NDManager scope = NDManager.subManagerOf(x)) {
      scope.tempAttachAll(x);
      NDArray h = VaeOps.normSiluConv(norm1, conv1, x); // (B, out, H, W)
      h = VaeOps.normSiluConv(norm2, conv2, h); // (B, out, H, W); dropout is inactive
      NDArray skip = shortcut == null ? x : shortcut.forward(x); // (B, out, H, W)
      return scope.ret(skip.add(h)); // (B, out, H, W)
    }
  }

  boolean hasShortcut() {
    return shortcut != null;
  }

  /** Appends the parameters in {@code VaeBlockScript.RESNET} (+ {@code SHORTCUT}) order. */
  void appendTo(List<NDArray> params) {
    norm1.appendTo(params);
    conv1.appendTo(params);
    norm2.appendTo(params);
    conv2.appendTo(params);
    if (shortcut != null) {
      shortcut.appendTo(params);
    }
  }
}
