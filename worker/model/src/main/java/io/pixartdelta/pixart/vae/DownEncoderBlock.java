package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code DownEncoderBlock2D}: resnets at one resolution, then (except for the last
 * level) a downsampler: zero-pad right/bottom by 1, 3×3 conv with stride 2 and no padding. With a
 * {@link VaeBlockScript} the whole block is one native call.
 */
final class DownEncoderBlock {
  private final List<ResnetBlock> resnets = new ArrayList<>();
  private final ConvLayer downsampler;
  private final int groups;
  private final VaeBlockScript script; // null: op by op
  private final List<NDArray> scriptParams = new ArrayList<>();

  /** Parameters under {@code prefix} ({@code encoder.down_blocks.i}); {@code in → out}. */
  DownEncoderBlock(
      VaeParams p,
      String prefix,
      int in,
      int out,
      int layers,
      boolean downsample,
      int groups,
      Kernels kernels,
      VaeBlockScript script) {
    for (int i = 0; i < layers; i++) {
      resnets.add(
          new ResnetBlock(p, prefix + ".resnets." + i, i == 0 ? in : out, out, groups, kernels));
    }
    downsampler =
        downsample ? ConvLayer.of(p, prefix + ".downsamplers.0.conv", out, out, 3, 2, 0) : null;
    this.groups = groups;
    this.script = script;
    if (script != null) {
      resnets.forEach(r -> r.appendTo(scriptParams));
      if (downsampler != null) {
        downsampler.appendTo(scriptParams);
      }
    }
  }

  /**
   * @param x (B, in, H, W)
   * @return (B, out, H/2, W/2) with a downsampler, else (B, out, H, W)
   */
  NDArray forward(NDArray x) {
    if (script != null) {
      return script.downBlock(
          x,
          groups,
          GroupNormLayer.EPS,
          resnets.size(),
          resnets.get(0).hasShortcut(),
          downsampler != null,
          scriptParams); // (B, out, H', W')
    }
    try (Chain chain = Chain.on(x)) {
      for (ResnetBlock r : resnets) {
        chain.then(r::forward); // (B, out, H, W)
      }
      if (downsampler != null) {
        chain.then(VaeOps::padRightBottom); // (B, out, H + 1, W + 1)
        chain.then(downsampler::forward); // (B, out, H/2, W/2)
      }
      return chain.finish();
    }
  }
}
