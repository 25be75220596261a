package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code DownEncoderBlock2D} and {@code UpDecoderBlock2D}, which differ only in the
 * resampler after their resnets (absent on the last level): {@link Direction#DOWN} zero-pads
 * right/bottom by 1 and applies a 3×3 conv with stride 2 and no padding; {@link Direction#UP}
 * repeats each pixel 2×2 (nearest) and applies a 3×3 conv with padding 1. With a {@link
 * VaeBlockScript} the whole block is one native call, and the up-sampler one transposed convolution
 * that gives the same result without the repeated image.
 */
final class ResamplingBlock {
  /** Which of the two block types, and so which resampler. */
  enum Direction {
    /** {@code DownEncoderBlock2D}: the encoder's blocks, {@code downsamplers.0.conv}. */
    DOWN,
    /** {@code UpDecoderBlock2D}: the decoder's blocks, {@code upsamplers.0.conv}. */
    UP
  }

  private final Direction direction;
  private final List<ResnetBlock> resnets = new ArrayList<>();
  private final ConvLayer resampler; // null: no resampling on this level
  private final int groups;
  private final VaeBlockScript script; // null: op by op
  private final List<NDArray> scriptParams = new ArrayList<>();

  /**
   * Parameters under {@code prefix} ({@code encoder.down_blocks.i} or {@code decoder.up_blocks.i});
   * {@code in → out} channels over {@code layers} resnets.
   */
  ResamplingBlock(
      Direction direction,
      VaeParams p,
      String prefix,
      int in,
      int out,
      int layers,
      boolean resample,
      int groups,
      Kernels kernels,
      VaeBlockScript script) {
    this.direction = direction;
    for (int i = 0; i < layers; i++) {
      resnets.add(
          new ResnetBlock(p, prefix + ".resnets." + i, i == 0 ? in : out, out, groups, kernels));
    }
    if (!resample) {
      resampler = null;
    } else if (direction == Direction.DOWN) {
      resampler = ConvLayer.of(p, prefix + ".downsamplers.0.conv", out, out, 3, 2, 0);
    } else {
      resampler = ConvLayer.same3x3(p, prefix + ".upsamplers.0.conv", out, out);
    }
    this.groups = groups;
    this.script = script;
    if (script != null) {
      resnets.forEach(r -> r.appendTo(scriptParams));
      if (resampler != null && direction == Direction.UP) {
        resampler.appendAsUpsamplerTo(scriptParams, script);
      } else if (resampler != null) {
        resampler.appendTo(scriptParams);
      }
    }
  }

  /**
   * @param x (B, in, H, W)
   * @return (B, out, H/2, W/2) down or (B, out, 2H, 2W) up with a resampler, else (B, out, H, W)
   */
  NDArray forward(NDArray x) {
    if (script != null) {
      boolean shortcut = resnets.get(0).hasShortcut();
      boolean resample = resampler != null;
      int n = resnets.size();
      float eps = GroupNormLayer.EPS;
      return direction == Direction.DOWN
          ? script.downBlock(
              x, groups, eps, n, shortcut, resample, scriptParams) // (B, out, H', W')
          : script.upBlock(x, groups, eps, n, shortcut, resample, scriptParams); // (B, out, H', W')
    }
    try (Chain chain = Chain.on(x)) {
      for (ResnetBlock r : resnets) {
        chain.then(r::forward); // (B, out, H, W)
      }
      if (resampler != null) {
        if (direction == Direction.DOWN) {
          chain.then(VaeOps::padRightBottom); // (B, out, H + 1, W + 1)
        } else {
          chain.then(VaeOps::upsampleNearest2x); // (B, out, 2H, 2W)
        }
        chain.then(resampler::forward); // (B, out, H/2, W/2) down, (B, out, 2H, 2W) up
      }
      return chain.finish();
    }
  }
}
