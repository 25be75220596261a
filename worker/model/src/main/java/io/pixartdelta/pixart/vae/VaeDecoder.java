package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder (diffusers' {@code Decoder}, {@code models/autoencoders/vae.py} @58eb52c): {@code
 * conv_in} → mid block → up blocks (widths reversed, each with {@code layers_per_block + 1}
 * resnets) → GroupNorm → SiLU → {@code conv_out}. Shapes: B batch, L latent channels, h×w latent
 * size, f the upscale factor (8). With a {@link VaeBlockScript} each block (mid, up, output head)
 * is one native call.
 */
final class VaeDecoder {
  private final ConvLayer convIn;
  private final MidBlock mid;
  private final List<ResamplingBlock> upBlocks = new ArrayList<>();
  private final GroupNormLayer normOut;
  private final ConvLayer convOut;
  private final VaeBlockScript script; // null: op by op

  VaeDecoder(VaeParams p, VaeConfig cfg, Kernels kernels, VaeBlockScript script, int queryChunk) {
    this.script = script;
    List<Integer> widths = cfg.blockOutChannels();
    int groups = cfg.normNumGroups();
    int c = cfg.midChannels();
    convIn = ConvLayer.same3x3(p, "decoder.conv_in", cfg.latentChannels(), c);
    mid =
        new MidBlock(
            p,
            "decoder.mid_block",
            c,
            groups,
            cfg.midBlockAddAttention(),
            kernels,
            script,
            queryChunk);
    int out = c;
    for (int i = 0; i < widths.size(); i++) {
      int in = out;
      out = widths.get(widths.size() - 1 - i);
      boolean last = i == widths.size() - 1;
      upBlocks.add(
          new ResamplingBlock(
              ResamplingBlock.Direction.UP,
              p,
              "decoder.up_blocks." + i,
              in,
              out,
              cfg.layersPerBlock() + 1,
              !last,
              groups,
              kernels,
              script));
    }
    int first = widths.get(0);
    normOut = new GroupNormLayer(p, "decoder.conv_norm_out", first, groups, kernels);
    convOut = ConvLayer.same3x3(p, "decoder.conv_out", first, cfg.outChannels());
  }

  /**
   * @param z (B, L, h, w) after {@code post_quant_conv}
   * @return (B, out_channels, f·h, f·w), attached to z's manager
   */
  NDArray forward(NDArray z, Tap tap) {
    try (Chain chain = Chain.on(z)) {
      chain.then(convIn::forward); // (B, C, h, w)
      tap.record("decoder.conv_in", chain.current());
      chain.then(mid::forward); // (B, C, h, w)
      tap.record("decoder.mid_block", chain.current());
      for (int i = 0; i < upBlocks.size(); i++) {
        chain.then(upBlocks.get(i)::forward); // (B, Ci, 2^(i+1)·h, 2^(i+1)·w) (last: no ×2)
        tap.record("decoder.up_blocks." + i, chain.current());
      }
      chain.then(h -> VaeOps.normSiluConv(normOut, convOut, h, script)); // (B, 3, f·h, f·w)
      return chain.finish();
    }
  }
}
