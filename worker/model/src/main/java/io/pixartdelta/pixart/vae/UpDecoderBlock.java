package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code UpDecoderBlock2D}: resnets at one resolution, then (except for the last level)
 * an upsampler: nearest-neighbour ×2, 3×3 conv with padding 1. With a {@link VaeBlockScript} the
 * whole block is one native call.
 */
final class UpDecoderBlock {
  private final List<ResnetBlock> resnets = new ArrayList<>();
  private final ConvLayer upsampler;
  private final int groups;
  private final VaeBlockScript script; // null: op by op
  private final List<NDArray> scriptParams = new ArrayList<>();

  /** Parameters under {@code prefix} ({@code decoder.up_blocks.i}); {@code in → out}. */
  UpDecoderBlock(
      VaeParams p,
      String prefix,
      int in,
      int out,
      int layers,
      boolean upsample,
      int groups,
      Kernels kernels,
      VaeBlockScript script) {
    for (int i = 0; i < layers; i++) {
      resnets.add(
          new ResnetBlock(p, prefix + ".resnets." + i, i == 0 ? in : out, out, groups, kernels));
    }
    upsampler = upsample ? ConvLayer.same3x3(p, prefix + ".upsamplers.0.conv", out, out) : null;
    this.groups = groups;
    this.script = script;
    if (script != null) {
      resnets.forEach(r -> r.appendTo(scriptParams));
      if (upsampler != null) {
        upsampler.appendTo(scriptParams);
      }
    }
  }

  /**
   * @param x (B, in, H, W)
   * @return (B, out, 2H, 2W) with an upsampler, else (B, out, H, W)
   */
  NDArray forward(NDArray x) {
    if (script != null) {
      return script.upBlock(
          x,
          groups,
          GroupNormLayer.EPS,
          resnets.size(),
          resnets.get(0).hasShortcut(),
          upsampler != null,
          scriptParams); // (B, out, H', W')
    }
    try (Chain chain = Chain.on(x)) {
      for (ResnetBlock r : resnets) {
        chain.then(r::forward); // (B, out, H, W)
      }
      if (upsampler != null) {
        chain.then(VaeOps::upsampleNearest2x); // (B, out, 2H, 2W)
        chain.then(upsampler::forward); // (B, out, 2H, 2W)
      }
      return chain.finish();
    }
  }
}
