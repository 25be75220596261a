package io.pixartdelta.pixart.nn.torchscript;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * The SD-1.x VAE's blocks (diffusers @58eb52c {@code models/unets/unet_2d_blocks.py}: {@code
 * UpDecoderBlock2D}, {@code DownEncoderBlock2D}, {@code UNetMidBlock2D}) as one TorchScript method
 * per block ({@code vae_blocks.py} next to this class): a decoder is {@code conv_in}, one mid-block
 * call, one call per up block and one for {@code conv_norm_out → SiLU → conv_out}. Weights are
 * passed per call, so one instance serves every block of every VAE on its device.
 *
 * <p>Inside: {@code torch.group_norm} (fp32 statistics for half inputs), in-place SiLU and residual
 * adds on fresh temporaries, {@code scaled_dot_product_attention} over {@code chunk} query rows at
 * a time in the mid block (bounded memory at 1024 px: 16384 tokens × 512). Every resnet's output
 * scale factor and the attention's rescale factor are 1, as in every SD-1.x VAE config.
 *
 * <p>Shapes: B batch, C channels, H×W spatial size. A block's parameters are passed as one list in
 * the order of {@link #RESNET}, {@link #SHORTCUT} and {@link #ATTENTION} (names relative to the
 * layer's prefix), convolutions as weight then bias.
 *
 * <p>Thread-safe; results are attached to {@code x}'s manager.
 */
public final class VaeBlockScript implements AutoCloseable {
  /** A resnet's parameters in call order; {@link #SHORTCUT} follows when the width changes. */
  public static final List<String> RESNET =
      List.of(
          "norm1.weight",
          "norm1.bias",
          "conv1.weight",
          "conv1.bias",
          "norm2.weight",
          "norm2.bias",
          "conv2.weight",
          "conv2.bias");

  /** The 1×1 shortcut of a resnet that changes width. */
  public static final List<String> SHORTCUT = List.of("conv_shortcut.weight", "conv_shortcut.bias");

  /** The mid-block attention's parameters in call order (current diffusers names). */
  public static final List<String> ATTENTION =
      List.of(
          "group_norm.weight",
          "group_norm.bias",
          "to_q.weight",
          "to_q.bias",
          "to_k.weight",
          "to_k.bias",
          "to_v.weight",
          "to_v.bias",
          "to_out.0.weight",
          "to_out.0.bias");

  static final String CLASS_NAME = "VaeBlocks";
  static final String SOURCE = "vae_blocks.py";

  private final TorchScriptModule module;

  private VaeBlockScript(TorchScriptModule module) {
    this.module = module;
  }

  /** Compiles the blocks on {@code owner}'s device, closed with {@code owner} (or by close()). */
  public static VaeBlockScript load(NDManager owner) {
    return new VaeBlockScript(
        TorchScriptModule.load(
            CLASS_NAME, TorchScriptModule.resource(VaeBlockScript.class, SOURCE), owner));
  }

  /** Compiles the blocks with a manager of their own on {@code device}. */
  public static VaeBlockScript load(Device device) {
    return new VaeBlockScript(
        TorchScriptModule.load(
            CLASS_NAME, TorchScriptModule.resource(VaeBlockScript.class, SOURCE), device));
  }

  /**
   * The up-sampler's 3×3 weight as the kernel of the transposed convolution that {@link #upBlock}
   * runs instead of nearest ×2 plus the 3×3 convolution; kept as long as this script lives.
   *
   * @param weight (C_out, C_in, 3, 3)
   * @return (C_in, C_out, 4, 4), the weight's type
   */
  public NDArray upsamplerKernel(NDArray weight) {
    return module.derive("upsample_kernel", weight); // (C_in, C_out, 4, 4)
  }

  /**
   * {@code UpDecoderBlock2D}: {@code resnets} resnets (only the first may have a shortcut), then
   * nearest ×2 and a 3×3 convolution if {@code upsample}, computed as one transposed convolution.
   *
   * @param x (B, C_in, H, W)
   * @param params every resnet's parameters in order, then the upsampler as a transposed
   *     convolution: kernel (C_out, C_out, 4, 4) from {@link #upsamplerKernel} and bias
   * @return (B, C_out, 2H, 2W) with the upsampler, else (B, C_out, H, W)
   */
  public NDArray upBlock(
      NDArray x,
      int groups,
      float eps,
      int resnets,
      boolean shortcut,
      boolean upsample,
      List<NDArray> params) {
    return resamplingBlock("up_block", x, groups, eps, resnets, shortcut, upsample, params);
  }

  /**
   * {@code DownEncoderBlock2D}: {@code resnets} resnets (only the first may have a shortcut), then
   * zero padding right/bottom and a 3×3 stride-2 convolution if {@code downsample}.
   *
   * @param x (B, C_in, H, W)
   * @param params every resnet's parameters in order, then the downsampler's weight and bias
   * @return (B, C_out, H/2, W/2) with the downsampler, else (B, C_out, H, W)
   */
  public NDArray downBlock(
      NDArray x,
      int groups,
      float eps,
      int resnets,
      boolean shortcut,
      boolean downsample,
      List<NDArray> params) {
    return resamplingBlock("down_block", x, groups, eps, resnets, shortcut, downsample, params);
  }

  /** The two script functions share one signature: resnets, then the resampler's conv. */
  private NDArray resamplingBlock(
      String function,
      NDArray x,
      int groups,
      float eps,
      int resnets,
      boolean shortcut,
      boolean resample,
      List<NDArray> params) {
    requireCount(params, resnets, shortcut, resample ? 2 : 0);
    return module.call(
        function,
        x,
        (long) groups,
        (double) eps,
        (long) resnets,
        shortcut,
        resample,
        params.toArray(new NDArray[0])); // (B, C_out, H', W')
  }

  /**
   * {@code UNetMidBlock2D}: resnet → single-head attention (if {@code attention}) → resnet.
   *
   * @param x (B, C, H, W)
   * @param chunk attention query rows per SDPA call (positive)
   * @param params the first resnet's, the attention's (if any), the second resnet's parameters
   * @return (B, C, H, W)
   */
  public NDArray midBlock(
      NDArray x, int groups, float eps, int chunk, boolean attention, List<NDArray> params) {
    if (chunk <= 0) {
      throw new IllegalArgumentException("chunk must be positive, got " + chunk);
    }
    int expected = 2 * RESNET.size() + (attention ? ATTENTION.size() : 0);
    if (params.size() != expected) {
      throw new IllegalArgumentException(
          "params: expected " + expected + " tensors, got " + params.size());
    }
    return module.call(
        "mid_block",
        x,
        (long) groups,
        (double) eps,
        (long) chunk,
        attention,
        params.toArray(new NDArray[0])); // (B, C, H, W)
  }

  /**
   * {@code conv(SiLU(GroupNorm(x)))} with a 3×3 padding-1 convolution (the decoder's and encoder's
   * output head).
   *
   * @param x (B, C, H, W)
   * @return (B, C_out, H, W)
   */
  public NDArray normSiluConv(
      NDArray x,
      int groups,
      float eps,
      NDArray normWeight,
      NDArray normBias,
      NDArray convWeight,
      NDArray convBias) {
    return module.call(
        "norm_silu_conv",
        x,
        (long) groups,
        (double) eps,
        normWeight,
        normBias,
        convWeight,
        convBias); // (B, C_out, H, W)
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

  private static void requireCount(
      List<NDArray> params, int resnets, boolean shortcut, int sampler) {
    if (resnets <= 0) {
      throw new IllegalArgumentException("resnets must be positive, got " + resnets);
    }
    int expected = resnets * RESNET.size() + (shortcut ? SHORTCUT.size() : 0) + sampler;
    if (params.size() != expected) {
      throw new IllegalArgumentException(
          "params: expected "
              + expected
              + " tensors for "
              + resnets
              + " resnets"
              + (shortcut ? " (first with shortcut)" : "")
              + (sampler > 0 ? " and a resampler" : "")
              + ", got "
              + params.size());
    }
  }
}
