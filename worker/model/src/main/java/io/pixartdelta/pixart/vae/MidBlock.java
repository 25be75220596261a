package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code UNetMidBlock2D} as the VAE uses it: resnet → attention → resnet, width C. With
 * a {@link VaeBlockScript} the whole block is one native call; otherwise it runs op by op through
 * {@link Kernels}.
 */
final class MidBlock {
  private final ResnetBlock first;
  private final MidBlockAttention attention;
  private final ResnetBlock second;
  private final int groups;
  private final int queryChunk;
  private final VaeBlockScript script; // null: op by op
  private final List<NDArray> scriptParams;

  /** Parameters under {@code prefix} ({@code encoder.mid_block} or {@code decoder.mid_block}). */
  MidBlock(
      VaeParams p,
      String prefix,
      int channels,
      int groups,
      boolean withAttention,
      Kernels kernels,
      VaeBlockScript script,
      int queryChunk) {
    first = new ResnetBlock(p, prefix + ".resnets.0", channels, channels, groups, kernels);
    attention =
        withAttention
            ? new MidBlockAttention(
                p, prefix + ".attentions.0", channels, groups, kernels, queryChunk)
            : null;
    second = new ResnetBlock(p, prefix + ".resnets.1", channels, channels, groups, kernels);
    this.groups = groups;
    this.queryChunk = queryChunk;
    this.script = script;
    this.scriptParams = new ArrayList<>();
    if (script != null) {
      first.appendTo(scriptParams);
      if (attention != null) {
        attention.appendTo(scriptParams);
      }
      second.appendTo(scriptParams);
    }
  }

  /**
   * @param x (B, C, H, W)
   * @return (B, C, H, W)
   */
  NDArray forward(NDArray x) {
    if (script != null) {
      return script.midBlock(
          x, groups, GroupNormLayer.EPS, queryChunk, attention != null, scriptParams);
    }
    try (Chain chain = Chain.on(x)) {
      chain.then(first::forward);
      if (attention != null) {
        chain.then(attention::forward);
      }
      return chain.then(second::forward).finish();
    }
  }
}
