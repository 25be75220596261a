package io.pixartdelta.pixart.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import io.pixartdelta.pixart.nn.torchscript.VaeBlockScript;
import io.pixartdelta.pixart.weights.ShardedSafetensors;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The SD-1.x VAE (diffusers' {@code AutoencoderKL}, {@code
 * models/autoencoders/autoencoder_kl.py} @58eb52c): {@link #decode} turns latents into images and
 * {@link #encode} images into a latent distribution (used for ControlNet inputs).
 *
 * <p>Shapes: B batch, L latent channels (4), h×w latent size, H×W = f·h × f·w image size with f the
 * downscale factor (8). Inputs are moved to the model's device and dtype; outputs come back in the
 * model's dtype, attached to the input's manager. Thread-safe: the weights are read-only and every
 * call works in its own managers.
 *
 * <p>With {@link TorchScriptKernels} every block (mid, each up/down block, output heads) runs as
 * one TorchScript call ({@link VaeBlockScript}, compiled when the model is built and freed with
 * it); with any other {@link Kernels} the blocks run op by op (the readable reference).
 */
public final class AutoencoderKl implements AutoCloseable {
  /** Attention query rows per chunk: 1024 × 16384 fp32 scores = 64 MiB per image at 1024 px. */
  public static final int DEFAULT_QUERY_CHUNK = 1024;

  /**
   * The attention query chunk for {@code device}: {@link #DEFAULT_QUERY_CHUNK} on the CPU, where
   * SDPA materialises the scores; all queries at once on a GPU, where SDPA's fused kernels stream
   * them and one launch replaces sixteen.
   */
  public static int queryChunkFor(Device device) {
    return device.isGpu() ? Integer.MAX_VALUE : DEFAULT_QUERY_CHUNK;
  }

  static final String CONFIG_FILE = "config.json";
  static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";
  static final String WEIGHTS_INDEX = "diffusion_pytorch_model.safetensors.index.json";

  private final VaeConfig config;
  private final Weights weights;
  private final Device device;
  private final DataType dtype;
  private final VaeEncoder encoder;
  private final VaeDecoder decoder;
  private final ConvLayer quantConv;
  private final ConvLayer postQuantConv;
  private final VaeBlockScript script; // null: op by op; owned

  private AutoencoderKl(
      VaeConfig config,
      Weights weights,
      Device device,
      DataType dtype,
      Kernels kernels,
      VaeBlockScript script,
      int queryChunk) {
    this.config = config;
    this.weights = weights;
    this.device = device;
    this.dtype = dtype;
    this.script = script;
    VaeParams p = VaeParams.bound(weights);
    this.encoder = new VaeEncoder(p, config, kernels, script, queryChunk);
    this.decoder = new VaeDecoder(p, config, kernels, script, queryChunk);
    this.quantConv = quantConv(p, config);
    this.postQuantConv = postQuantConv(p, config);
  }

  /**
   * Loads {@code vaeDir/config.json} and {@code vaeDir/diffusion_pytorch_model.safetensors} (or a
   * sharded index of it), checking every tensor name and shape.
   *
   * @param dtype parameter type: FLOAT32 (safest, the VAE config asks for upcasting) or FLOAT16
   * @throws WeightException if the config or the weights do not describe this model
   */
  public static AutoencoderKl load(Path vaeDir, Device device, DataType dtype, Kernels kernels) {
    return load(vaeDir, device, dtype, kernels, queryChunkFor(device));
  }

  /**
   * Builds the VAE from any tensor source checked against {@link #weightSpec} (random weights for
   * benchmarks, converted checkpoints); the source stays owned by the caller.
   */
  public static AutoencoderKl fromSource(
      VaeConfig config, TensorSource source, Device device, DataType dtype, Kernels kernels) {
    return fromSource(
        config, source, device, dtype, kernels, queryChunkFor(device), wholeBlocks(kernels));
  }

  /**
   * {@link #fromSource(VaeConfig, TensorSource, Device, DataType, Kernels)} with a chosen query
   * chunk, and whole-block scripts on or off (off with TorchScript kernels: op by op through the
   * fused kernels, for comparisons).
   */
  public static AutoencoderKl fromSource(
      VaeConfig config,
      TensorSource source,
      Device device,
      DataType dtype,
      Kernels kernels,
      int queryChunk,
      boolean blockScripts) {
    return build(
        config,
        StrictLoader.load(source, weightSpec(config), device, dtype),
        device,
        dtype,
        kernels,
        queryChunk,
        blockScripts);
  }

  /** {@link #load(Path, Device, DataType, Kernels)} with a chosen attention query chunk. */
  static AutoencoderKl load(
      Path vaeDir, Device device, DataType dtype, Kernels kernels, int queryChunk) {
    return load(vaeDir, device, dtype, kernels, queryChunk, wholeBlocks(kernels));
  }

  /** Same, with whole-block scripts on or off (see {@link #fromSource}). */
  static AutoencoderKl load(
      Path vaeDir,
      Device device,
      DataType dtype,
      Kernels kernels,
      int queryChunk,
      boolean blockScripts) {
    VaeConfig config = VaeConfig.fromJson(vaeDir.resolve(CONFIG_FILE));
    WeightSpec spec = weightSpec(config);
    Weights weights;
    try (TensorSource source = openWeights(vaeDir)) {
      weights = StrictLoader.load(source, spec, device, dtype);
    }
    return build(config, weights, device, dtype, kernels, queryChunk, blockScripts);
  }

  /** The TorchScript backend runs whole blocks; any other runs op by op. */
  public static boolean wholeBlocks(Kernels kernels) {
    return kernels instanceof TorchScriptKernels;
  }

  /** Takes ownership of {@code weights} (closed on failure). */
  private static AutoencoderKl build(
      VaeConfig config,
      Weights weights,
      Device device,
      DataType dtype,
      Kernels kernels,
      int queryChunk,
      boolean blockScripts) {
    VaeBlockScript script = null;
    try {
      if (blockScripts) {
        script = VaeBlockScript.load(device);
      }
      return new AutoencoderKl(config, weights, device, dtype, kernels, script, queryChunk);
    } catch (RuntimeException e) {
      if (script != null) {
        script.close();
      }
      weights.close();
      throw e;
    }
  }

  /**
   * Every parameter of the model described by {@code config}, with its shape; the mid-block
   * attention also accepts the old names {@code query/key/value/proj_attn}.
   */
  public static WeightSpec weightSpec(VaeConfig config) {
    WeightSpec spec = new WeightSpec();
    VaeParams p = VaeParams.declaring(spec);
    Kernels unused = NdArrayKernels.INSTANCE;
    new VaeEncoder(p, config, unused, null, DEFAULT_QUERY_CHUNK);
    new VaeDecoder(p, config, unused, null, DEFAULT_QUERY_CHUNK);
    quantConv(p, config);
    postQuantConv(p, config);
    return spec;
  }

  private static ConvLayer quantConv(VaeParams p, VaeConfig config) {
    int moments = 2 * config.latentChannels();
    return config.useQuantConv() ? ConvLayer.pointwise(p, "quant_conv", moments, moments) : null;
  }

  private static ConvLayer postQuantConv(VaeParams p, VaeConfig config) {
    int l = config.latentChannels();
    return config.usePostQuantConv() ? ConvLayer.pointwise(p, "post_quant_conv", l, l) : null;
  }

  private static TensorSource openWeights(Path vaeDir) {
    return ShardedSafetensors.openFolder(vaeDir, WEIGHTS_FILE, WEIGHTS_INDEX, "VAE");
  }

  public VaeConfig config() {
    return config;
  }

  /** Latents are multiplied by this after encoding and divided by it before decoding. */
  public float scalingFactor() {
    return config.scalingFactor();
  }

  /**
   * Decodes the whole batch at once.
   *
   * @param z (B, L, h, w), already divided by {@link #scalingFactor()}
   * @return (B, out_channels, f·h, f·w), nominally in [−1, 1] (not clamped)
   */
  public NDArray decode(NDArray z) {
    return decode(z, Integer.MAX_VALUE);
  }

  /**
   * Decodes at most {@code maxBatch} latents at a time (peak memory grows with the sub-batch: at
   * 1024 px one image needs a few GB of activations in fp32).
   *
   * @param z (B, L, h, w), already divided by {@link #scalingFactor()}
   * @return (B, out_channels, f·h, f·w)
   */
  public NDArray decode(NDArray z, int maxBatch) {
    return decode(z, maxBatch, Tap.NONE);
  }

  NDArray decode(NDArray z, int maxBatch, Tap tap) {
    return inSubBatches("z", z, config.latentChannels(), maxBatch, part -> decodeBatch(part, tap));
  }

  private NDArray decodeBatch(NDArray z, Tap tap) {
    try (Chain chain = Chain.on(z)) {
      chain.then(this::toModel); // (B, L, h, w)
      if (postQuantConv != null) {
        chain.then(postQuantConv::forward); // (B, L, h, w)
        tap.record("post_quant_conv", chain.current());
      }
      chain.then(h -> decoder.forward(h, tap)); // (B, 3, f·h, f·w)
      return chain.finish();
    }
  }

  /**
   * Encodes the whole batch at once.
   *
   * @param image (B, in_channels, H, W) in [−1, 1]
   * @return the latent distribution over (B, L, H/f, W/f)
   */
  public LatentDist encode(NDArray image) {
    return encode(image, Integer.MAX_VALUE);
  }

  /** {@link #encode(NDArray)} at most {@code maxBatch} images at a time. */
  public LatentDist encode(NDArray image, int maxBatch) {
    return encode(image, maxBatch, Tap.NONE);
  }

  LatentDist encode(NDArray image, int maxBatch, Tap tap) {
    int l = config.latentChannels();
    NDArray moments =
        inSubBatches("image", image, config.inChannels(), maxBatch, part -> momentsOf(part, tap));
    // moments is an intermediate: it goes with the scope, the views returned from it survive.
    try (NDManager scope = moments.getManager().newSubManager()) {
      scope.attachAll(moments);
      NDList halves = moments.split(new long[] {l}, 1); // 2 × (B, L, h, w)
      NDArray mean = halves.get(0); // (B, L, h, w)
      NDArray logvar = halves.get(1).clip(-30f, 20f); // (B, L, h, w)
      NDArray std = logvar.mul(0.5f).exp(); // (B, L, h, w)
      return new LatentDist(scope.ret(mean), scope.ret(logvar), scope.ret(std));
    }
  }

  /** Encoder + {@code quant_conv}: (B, 2L, H/f, W/f), attached to the image's manager. */
  private NDArray momentsOf(NDArray image, Tap tap) {
    try (Chain chain = Chain.on(image)) {
      chain.then(this::toModel); // (B, 3, H, W)
      chain.then(x -> encoder.forward(x, tap)); // (B, 2L, h, w)
      if (quantConv != null) {
        chain.then(quantConv::forward); // (B, 2L, h, w)
        tap.record("quant_conv", chain.current());
      }
      return chain.finish();
    }
  }

  /**
   * The one sub-batch loop of encode and decode: checks that {@code x} is (B, channels, H, W), runs
   * {@code step} on slices of at most {@code maxBatch} rows and concatenates the results.
   */
  private static NDArray inSubBatches(
      String name, NDArray x, int channels, int maxBatch, UnaryOperator<NDArray> step) {
    requireImageLike(name, x, channels);
    if (maxBatch <= 0) {
      throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
    }
    long b = x.getShape().get(0);
    if (b <= maxBatch) {
      return step.apply(x);
    }
    long[] splits = VaeOps.splitPoints(b, maxBatch);
    try (NDManager scope = NDManager.subManagerOf(x)) {
      scope.tempAttachAll(x);
      NDList outs = new NDList(splits.length + 1);
      for (NDArray part : x.split(splits, 0)) {
        outs.add(step.apply(part)); // (≤maxBatch, ...)
      }
      return scope.ret(NDArrays.concat(outs, 0)); // (B, ...)
    }
  }

  /** {@code x} on the model's device and in its dtype (a copy in x's manager if needed). */
  private NDArray toModel(NDArray x) {
    if (x.getDevice().equals(device) && x.getDataType() == dtype) {
      return x;
    }
    try (NDManager scope = NDManager.subManagerOf(x)) {
      scope.tempAttachAll(x);
      return scope.ret(x.toDevice(device, false).toType(dtype, false));
    }
  }

  private static void requireImageLike(String name, NDArray x, int channels) {
    Shape s = x.getShape();
    if (s.dimension() != 4 || s.get(1) != channels || s.get(0) == 0) {
      throw new IllegalArgumentException(
          name + " must be (B, " + channels + ", H, W) with B > 0, got " + s);
    }
  }

  /** The capped manager owning the parameters (leak checks in tests). */
  NDManager weightsManager() {
    return weights.manager();
  }

  /** Whether the blocks run as whole-block TorchScript calls. */
  boolean usesBlockScripts() {
    return script != null;
  }

  /** Frees the weights and the block scripts. */
  @Override
  public void close() {
    if (script != null) {
      script.close();
    }
    weights.close();
  }
}
