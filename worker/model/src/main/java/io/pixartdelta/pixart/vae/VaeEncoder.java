package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoder (diffusers' {@code Encoder}, {@code models/autoencoders/vae.py} @58eb52c): {@code
 * conv_in} → down blocks → mid block → GroupNorm → SiLU → {@code conv_out} with 2·L channels (mean
 * and log-variance, L latent channels). Shapes: B batch, H×W image size, f the downscale factor
 * (8). With a {@link VaeBlockScript} each block (down, mid, output head) is one native call.
 */
final class VaeEncoder {
  private final ConvLayer convIn;
  private final List<ResamplingBlock> downBlocks = new ArrayList<>();
  private final MidBlock mid;
  private final GroupNormLayer normOut;
  private final ConvLayer convOut;
  private final VaeBlockScript script; // null: op by op

  VaeEncoder(VaeParams p, VaeConfig cfg, Kernels kernels, VaeBlockScript script, int queryChunk) {
    this.script = script;
    List<Integer> widths = cfg.blockOutChannels();
    int groups = cfg.normNumGroups();
    convIn = ConvLayer.same3x3(p, "encoder.conv_in", cfg.inChannels(), widths.get(0));
    int out = widths.get(0);
    for (int i = 0; i < widths.size(); i++) {
      int in = out;
      out = widths.get(i);
      boolean last = i == widths.size() - 1;
      downBlocks.add(
          new ResamplingBlock(
              ResamplingBlock.Direction.DOWN,
              p,
              "encoder.down_blocks." + i,
              in,
              out,
              cfg.layersPerBlock(),
              !last,
              groups,
              kernels,
              script));
    }
    int c = cfg.midChannels();
    mid =
        new MidBlock(
            p,
            "encoder.mid_block",
            c,
            groups,
            cfg.midBlockAddAttention(),
            kernels,
            script,
            queryChunk);
    normOut = new GroupNormLayer(p, "encoder.conv_norm_out", c, groups, kernels);
    convOut = ConvLayer.same3x3(p, "encoder.conv_out", c, 2 * cfg.latentChannels());
  }

  /**
   * @param image (B, in_channels, H, W)
   * @return (B, 2L, H/f, W/f), attached to the image's manager
   */
  NDArray forward(NDArray image, Tap tap) {
    try (Chain chain = Chain.on(image)) {
      chain.then(convIn::forward); // (B, C0, H, W)
      for (int i = 0; i < downBlocks.size(); i++) {
        chain.then(downBlocks.get(i)::forward); // (B, Ci, H/2^(i+1), W/2^(i+1)) (last: no /2)
        tap.record("encoder.down_blocks." + i, chain.current());
      }
      chain.then(mid::forward); // (B, C, H/f, W/f)
      tap.record("encoder.mid_block", chain.current());
      chain.then(h -> VaeOps.normSiluConv(normOut, convOut, h, script)); // (B, 2L, H/f, W/f)
      tap.record("encoder.conv_out", chain.current());
      return chain.finish();
    }
  }
}
