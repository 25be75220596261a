package io.pixartdelta.pixart.transformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.Scalars;
import io.pixartdelta.pixart.weights.ShardedSafetensors;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PixArt-α diffusion transformer ({@code PixArtTransformer2DModel}) as used by
 * PixArt-LCM-XL-2-1024-MS: patch embedding with 2-D sin-cos positions, adaLN-single timestep and
 * micro-condition embedding, caption projection, N {@link PixArtBlock}s and the modulated output
 * head.
 *
 * <p>{@link #forward} runs everything. The stages are also public so a ControlNet can hook between
 * blocks: {@link #embedInputs}, {@link #block}, {@link #finalLayer}, plus {@link #embedPatches} for
 * the control latents.
 *
 * <p>Shapes: B batch, C latent channels, H×W latent size, p patch, Hp = H/p, Wp = W/p, N = Hp·Wp
 * tokens, D hidden, L caption tokens (120), Cc caption channels, C' output channels.
 *
 * <p>Ported from diffusers {@code models/transformers/pixart_transformer_2d.py} @58eb52c.
 */
public final class PixArtTransformer implements AutoCloseable {
  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";
  public static final String WEIGHTS_INDEX_FILE = "diffusion_pytorch_model.safetensors.index.json";

  /** Cross-attention score bias on padded caption positions. */
  public static final float MASK_BIAS = -10000f;

  private static final String BLOCK_PREFIX = "transformer_blocks.";

  private final PixArtConfig config;
  private final Weights weights;
  private final Device device;
  private final DataType dtype;
  private final PatchEmbedding patchEmbedding;
  private final AdaLayerNormSingle adaLayerNorm;
  private final CaptionProjection captionProjection;
  private final List<PixArtBlock> blocks;
  private final FinalLayer finalLayer;

  /**
   * Wraps loaded parameters (named as in {@link #weightSpec}); takes ownership of {@code weights}.
   * Device and dtype are those of the weights.
   */
  public PixArtTransformer(PixArtConfig config, Weights weights, Kernels kernels) {
    this.config = config;
    this.weights = weights;
    this.device = weights.manager().getDevice();
    this.dtype = weights.get("proj_out.weight").getDataType();
    this.adaLayerNorm = new AdaLayerNormSingle(weights, config, dtype);
    this.captionProjection = new CaptionProjection(weights, kernels);
    List<PixArtBlock> list = new ArrayList<>(config.numLayers());
    for (int i = 0; i < config.numLayers(); i++) {
      list.add(new PixArtBlock(weights, BLOCK_PREFIX + i + ".", config, kernels));
    }
    this.blocks = List.copyOf(list);
    this.finalLayer = new FinalLayer(weights, config, kernels);
    this.patchEmbedding = new PatchEmbedding(weights, config, device, dtype);
  }

  /**
   * Loads {@code transformerDir/config.json} and its safetensors weights (single file or sharded
   * index) strictly, converting them to {@code dtype} on {@code device}.
   *
   * @throws WeightException if the config or weights are missing, corrupt or do not match
   */
  public static PixArtTransformer load(
      Path transformerDir, Device device, DataType dtype, Kernels kernels) {
    PixArtConfig config = PixArtConfig.fromJson(transformerDir.resolve(CONFIG_FILE));
    try (TensorSource source = openWeights(transformerDir)) {
      return fromSource(config, source, device, dtype, kernels);
    }
  }

  /**
   * Builds the model from any tensor source checked against {@link #weightSpec} (a converted
   * checkpoint, or random weights for benchmarks); the source stays open and owned by the caller.
   */
  public static PixArtTransformer fromSource(
      PixArtConfig config, TensorSource source, Device device, DataType dtype, Kernels kernels) {
    Weights weights = StrictLoader.load(source, weightSpec(config), device, dtype);
    return new PixArtTransformer(config, weights, kernels);
  }

  /**
   * Every parameter of the diffusers layout with its shape; {@code pos_embed.pos_embed} is
   * computed, not stored, and {@code caption_projection.y_embedding} is ignored if present.
   */
  public static WeightSpec weightSpec(PixArtConfig config) {
    WeightSpec spec = new WeightSpec();
    PatchEmbedding.declare(spec, config);
    CaptionProjection.declare(spec, config);
    AdaLayerNormSingle.declare(spec, config);
    for (int i = 0; i < config.numLayers(); i++) {
      PixArtBlock.declare(spec, BLOCK_PREFIX + i + ".", config);
    }
    FinalLayer.declare(spec, config);
    return spec;
  }

  private static TensorSource openWeights(Path dir) {
    return ShardedSafetensors.openFolder(dir, WEIGHTS_FILE, WEIGHTS_INDEX_FILE, "transformer");
  }

  public PixArtConfig config() {
    return config;
  }

  public Device device() {
    return device;
  }

  public DataType dataType() {
    return dtype;
  }

  /** Number of transformer blocks. */
  public int numBlocks() {
    return blocks.size();
  }

  /**
   * The whole forward pass.
   *
   * @param latents (B, C, H, W); H and W multiples of the patch size
   * @param timesteps (B), any numeric type (integer timesteps are used as float)
   * @param conditions captions, their mask and the micro-conditions for the B rows
   * @return (B, C', H, W) in the model dtype, attached to {@code latents}' manager
   */
  public NDArray forward(NDArray latents, NDArray timesteps, Conditions conditions) {
    return forward(latents, timesteps, conditions, this::allBlocks);
  }

  /**
   * The blocks between the embedding and the output head: by default every block in order; a
   * ControlNet interleaves its own branch (see {@link #forward(NDArray, NDArray, Conditions,
   * Blocks)}).
   */
  @FunctionalInterface
  public interface Blocks {
    /**
     * @param inputs the embedded inputs; {@code inputs.tokens()} (B, N, D) is the input of block 0
     *     and may be closed once consumed
     * @return (B, N, D) the input of the output head
     */
    NDArray run(EmbeddedInputs inputs);
  }

  /**
   * The forward pass with {@code middle} in place of the block loop: embeds the inputs, runs {@code
   * middle}, then the output head, in one scope that frees every intermediate. Arguments as in
   * {@link #forward(NDArray, NDArray, Conditions)}.
   */
  public NDArray forward(NDArray latents, NDArray timesteps, Conditions conditions, Blocks middle) {
    try (NDManager scope = NDManager.subManagerOf(latents)) {
      attachInputs(scope, latents, timesteps, conditions);
      EmbeddedInputs inputs = embedInputs(latents, timesteps, conditions);
      NDArray x = middle.run(inputs); // (B, N, D)
      return scope.ret(finalLayer(x, inputs)); // (B, C', H, W)
    }
  }

  private NDArray allBlocks(EmbeddedInputs inputs) {
    NDArray x = inputs.tokens(); // (B, N, D)
    for (int i = 0; i < blocks.size(); i++) {
      x = block(i, x, inputs);
    }
    return x;
  }

  /**
   * Everything before the first block: patch tokens with positions, conditioning, modulation,
   * projected captions and the caption bias. Arguments as in {@link #forward(NDArray, NDArray,
   * Conditions)}.
   *
   * @return arrays attached to {@code latents}' manager
   */
  public EmbeddedInputs embedInputs(NDArray latents, NDArray timesteps, Conditions conditions) {
    validate(latents, timesteps, conditions);
    NDArray captionMask = conditions.captionMask();
    NDArray resolution = conditions.resolution();
    NDArray aspectRatio = conditions.aspectRatio();
    Shape s = latents.getShape();
    long b = s.get(0);
    int gridH = (int) (s.get(2) / config.patchSize());
    int gridW = (int) (s.get(3) / config.patchSize());
    try (NDManager scope = NDManager.subManagerOf(latents)) {
      attachInputs(scope, latents, timesteps, conditions);
      NDArray tokens = patchEmbedding.forward(onModel(latents)); // (B, N, D)
      NDArray cond =
          adaLayerNorm.condition(
              timesteps.toDevice(device, false),
              resolution == null ? null : resolution.toDevice(device, false),
              aspectRatio == null ? null : aspectRatio.toDevice(device, false)); // (B, D)
      NDArray mod = adaLayerNorm.modulation(cond); // (B, 6·D)
      NDArray projected = captionProjection.forward(onModel(conditions.captions())); // (B, L, D)
      NDArray bias = null;
      if (captionMask != null) {
        NDArray keep = onModel(captionMask); // (B, L) 1 = token, 0 = padding
        bias =
            Scalars.mul(Scalars.add(keep.neg(), 1f), MASK_BIAS)
                .reshape(b, 1, 1, captionMask.getShape().get(1)); // (B, 1, 1, L)
      }
      EmbeddedInputs result = new EmbeddedInputs(tokens, mod, cond, projected, bias, gridH, gridW);
      scope.ret(result.arrays());
      return result;
    }
  }

  /**
   * Patch embedding plus position embedding alone (the ControlNet embeds its control latents with
   * it).
   *
   * @param latents (B, C, H, W)
   * @return (B, N, D) attached to {@code latents}' manager
   */
  public NDArray embedPatches(NDArray latents) {
    validateLatents(latents);
    try (NDManager scope = NDManager.subManagerOf(latents)) {
      scope.tempAttachAll(latents);
      return scope.ret(patchEmbedding.forward(onModel(latents)));
    }
  }

  /**
   * Runs block {@code index}.
   *
   * @param tokens (B, N, D) the block input
   * @return (B, N, D) attached to {@code tokens}' manager
   */
  public NDArray block(int index, NDArray tokens, EmbeddedInputs inputs) {
    return blocks
        .get(index)
        .forward(tokens, inputs.modulation(), inputs.captions(), inputs.captionBias());
  }

  /**
   * The output head and unpatchify.
   *
   * @param tokens (B, N, D) the last block's output
   * @return (B, C', H, W) attached to {@code tokens}' manager
   */
  public NDArray finalLayer(NDArray tokens, EmbeddedInputs inputs) {
    try (NDManager scope = NDManager.subManagerOf(tokens)) {
      Scopes.attachInputs(scope, tokens, inputs.condition());
      NDArray out = finalLayer.forward(tokens, inputs.condition()); // (B, N, p·p·C')
      return scope.ret(finalLayer.unpatchify(out, inputs.gridHeight(), inputs.gridWidth()));
    }
  }

  /** The output head before unpatchify: (B, N, D) → (B, N, p·p·C') (for parity tests). */
  NDArray finalProjection(NDArray tokens, NDArray condition) {
    try (NDManager scope = NDManager.subManagerOf(tokens)) {
      Scopes.attachInputs(scope, tokens, condition);
      return scope.ret(finalLayer.forward(tokens, condition));
    }
  }

  /**
   * The 2-D sin-cos position embedding this model adds for a {@code gridH × gridW} patch grid.
   *
   * @return (1, gridH·gridW, D) float32 in {@code manager}
   */
  public NDArray positionEmbedding(int gridH, int gridW, NDManager manager) {
    return patchEmbedding.positionEmbedding(gridH, gridW, manager);
  }

  /** Arrays held by the position-embedding cache (for leak tests). */
  int cachedArrays() {
    return patchEmbedding.cachedArrays();
  }

  private static void attachInputs(
      NDManager scope, NDArray latents, NDArray timesteps, Conditions c) {
    Scopes.attachInputs(
        scope, latents, timesteps, c.captions(), c.captionMask(), c.resolution(), c.aspectRatio());
  }

  private NDArray onModel(NDArray a) {
    return a.toDevice(device, false).toType(dtype, false);
  }

  private void validate(NDArray latents, NDArray timesteps, Conditions conditions) {
    validateLatents(latents);
    long b = latents.getShape().get(0);
    requireShape("timesteps", timesteps, new Shape(b));
    Shape c = conditions.captions().getShape();
    if (c.dimension() != 3 || c.get(0) != b || c.get(2) != config.captionChannels()) {
      throw new IllegalArgumentException(
          "captions must be (" + b + ", L, " + config.captionChannels() + "), got " + c);
    }
    if (conditions.captionMask() != null) {
      requireShape("captionMask", conditions.captionMask(), new Shape(b, c.get(1)));
    }
    if (config.useAdditionalConditions()) {
      requireShape("resolution", conditions.resolution(), new Shape(b, 2));
      requireShape("aspectRatio", conditions.aspectRatio(), new Shape(b, 1));
    }
  }

  private void validateLatents(NDArray latents) {
    Shape s = latents.getShape();
    int p = config.patchSize();
    if (s.dimension() != 4
        || s.get(1) != config.inChannels()
        || s.get(2) % p != 0
        || s.get(3) % p != 0
        || s.get(2) == 0
        || s.get(3) == 0) {
      throw new IllegalArgumentException(
          "latents must be (B, "
              + config.inChannels()
              + ", H, W) with H and W positive multiples of "
              + p
              + ", got "
              + s);
    }
  }

  private static void requireShape(String name, NDArray a, Shape expected) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is required, shape " + expected);
    }
    if (!a.getShape().equals(expected)) {
      throw new IllegalArgumentException(
          name + " must have shape " + expected + ", got " + a.getShape());
    }
  }

  @Override
  public void close() {
    patchEmbedding.close();
    weights.close();
  }
}
