package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;

/** diffusers' {@code UNetMidBlock2D} as the VAE uses it: resnet → attention → resnet, width C. */
final class MidBlock {
  private final ResnetBlock first;
  private final MidBlockAttention attention;
  private final ResnetBlock second;

  /** Parameters under {@code prefix} ({@code encoder.mid_block} or {@code decoder.mid_block}). */
  MidBlock(
      VaeParams p,
      String prefix,
      int channels,
      int groups,
      boolean withAttention,
      Kernels kernels,
      int queryChunk) {
    first = new ResnetBlock(p, prefix + ".resnets.0", channels, channels, groups, kernels);
    attention =
        withAttention
            ? new MidBlockAttention(
                p, prefix + ".attentions.0", channels, groups, kernels, queryChunk)
            : null;
    second = new ResnetBlock(p, prefix + ".resnets.1", channels, channels, groups, kernels);
  }

  /**
   * @param x (B, C, H, W)
   * @return (B, C, H, W)
   */
  NDArray forward(NDArray x) {
    try (Chain chain = Chain.on(x)) {
      chain.then(first::forward);
      if (attention != null) {
        chain.then(attention::forward);
      }
      return chain.then(second::forward).finish();
    }
  }
}
