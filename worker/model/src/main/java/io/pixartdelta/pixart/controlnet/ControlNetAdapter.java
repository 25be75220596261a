package io.pixartdelta.pixart.controlnet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.transformer.EmbeddedInputs;
import io.pixartdelta.pixart.transformer.PixArtBlock;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.weights.SafetensorsFile;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The ControlNet branch of PixArt-δ ({@code PixArtControlNetAdapterModel}, the original {@code
 * ControlPixArtMSHalf.controlnet}): N trainable copies of base blocks 0..N−1, a {@code before_proj}
 * linear in copy 0 that lets the embedded control latents into the stream, and an {@code
 * after_proj} linear per copy whose output is added to the input of base block k + 1. Both linears
 * are zero-initialised in training, so an untrained branch leaves the base model unchanged.
 *
 * <p>The stages are separate so {@link PixArtControlNetTransformer} can interleave them with the
 * base blocks: {@link #start}, then per copy {@link #block} and {@link #toBase}. Each returns its
 * result to the manager of its first input; the weights stay in their capped manager.
 *
 * <p>Shapes: B batch, N image tokens, D hidden (the base transformer's).
 *
 * <p>Ported from diffusers {@code examples/research_projects/pixart/controlnet_pixart_alpha.py}
 * ({@code PixArtControlNetAdapterBlock}) @58eb52c.
 */
public final class ControlNetAdapter implements AutoCloseable {
  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";

  static final String BLOCK_PREFIX = "controlnet_blocks.";
  private static final String COPY = "transformer_block.";
  private static final String BEFORE = "before_proj";
  private static final String AFTER = "after_proj";

  /** A D→D linear held by reference; weights never appear as a first operand. */
  private record Projection(NDArray weight, NDArray bias) {
    static Projection of(Weights weights, String prefix) {
      return new Projection(weights.get(prefix + ".weight"), weights.get(prefix + ".bias"));
    }

    /** (…, D) → (…, D), attached to {@code x}'s manager. */
    NDArray apply(NDArray x) {
      return Linear.linear(x, weight, bias).singletonOrThrow();
    }
  }

  private final ControlNetAdapterConfig config;
  private final PixArtConfig transformerConfig;
  private final Weights weights;
  private final Projection beforeProjection;
  private final List<PixArtBlock> copies;
  private final List<Projection> afterProjections;

  /**
   * Wraps loaded parameters (named as in {@link #weightSpec}); takes ownership of {@code weights}.
   *
   * @param transformerConfig the base transformer's config: the copies' dimensions
   */
  public ControlNetAdapter(
      ControlNetAdapterConfig config,
      PixArtConfig transformerConfig,
      Weights weights,
      Kernels kernels) {
    this.config = Objects.requireNonNull(config, "config");
    this.transformerConfig = Objects.requireNonNull(transformerConfig, "transformerConfig");
    this.weights = weights;
    this.beforeProjection = Projection.of(weights, prefix(0) + BEFORE);
    List<PixArtBlock> blocks = new ArrayList<>(config.numLayers());
    List<Projection> after = new ArrayList<>(config.numLayers());
    for (int k = 0; k < config.numLayers(); k++) {
      blocks.add(new PixArtBlock(weights, prefix(k) + COPY, transformerConfig, kernels));
      after.add(Projection.of(weights, prefix(k) + AFTER));
    }
    this.copies = List.copyOf(blocks);
    this.afterProjections = List.copyOf(after);
  }

  /**
   * Every parameter of the diffusers adapter layout: {@code
   * controlnet_blocks.{k}.transformer_block.<block keys>}, {@code
   * controlnet_blocks.0.before_proj.*} and {@code controlnet_blocks.{k}.after_proj.*}, all sized
   * from {@code transformerConfig}.
   */
  public static WeightSpec weightSpec(
      ControlNetAdapterConfig config, PixArtConfig transformerConfig) {
    int d = transformerConfig.innerDim();
    WeightSpec spec = new WeightSpec();
    for (int k = 0; k < config.numLayers(); k++) {
      if (k == 0) {
        spec.expect(prefix(k) + BEFORE + ".weight", d, d);
        spec.expect(prefix(k) + BEFORE + ".bias", d);
      }
      PixArtBlock.declare(spec, prefix(k) + COPY, transformerConfig);
      spec.expect(prefix(k) + AFTER + ".weight", d, d);
      spec.expect(prefix(k) + AFTER + ".bias", d);
    }
    return spec;
  }

  /**
   * Loads the adapter from either published form: a directory is a diffusers-style adapter folder
   * ({@link #loadFolder}), a file the official original-layout {@code .pth} ({@link
   * OriginalControlNetCheckpoint#loadAdapter}; its base weights are not loaded here).
   *
   * @param transformerConfig the base transformer's config (dimensions of the copies)
   * @throws WeightException if the checkpoint is missing, corrupt or does not match
   */
  public static ControlNetAdapter load(
      Path path, PixArtConfig transformerConfig, Device device, DataType dtype, Kernels kernels) {
    if (Files.isDirectory(path)) {
      return loadFolder(path, transformerConfig, device, dtype, kernels);
    }
    try (OriginalControlNetCheckpoint checkpoint = OriginalControlNetCheckpoint.open(path)) {
      return checkpoint.loadAdapter(transformerConfig, device, dtype, kernels);
    }
  }

  /**
   * Loads {@code dir/config.json} and {@code dir/diffusion_pytorch_model.safetensors} strictly,
   * converting the weights to {@code dtype} on {@code device}.
   *
   * @throws WeightException if a file is missing or the tensors do not match the config
   */
  public static ControlNetAdapter loadFolder(
      Path dir, PixArtConfig transformerConfig, Device device, DataType dtype, Kernels kernels) {
    ControlNetAdapterConfig config = ControlNetAdapterConfig.fromJson(dir.resolve(CONFIG_FILE));
    Path file = dir.resolve(WEIGHTS_FILE);
    if (!Files.isRegularFile(file)) {
      throw new WeightException("no ControlNet adapter weights " + file);
    }
    try (SafetensorsFile source = SafetensorsFile.open(file)) {
      Weights weights =
          StrictLoader.load(source, weightSpec(config, transformerConfig), device, dtype);
      return new ControlNetAdapter(config, transformerConfig, weights, kernels);
    }
  }

  public ControlNetAdapterConfig config() {
    return config;
  }

  /** The base transformer config the copies were sized from. */
  public PixArtConfig transformerConfig() {
    return transformerConfig;
  }

  /** Number of copied blocks. */
  public int numLayers() {
    return copies.size();
  }

  public Device device() {
    return weights.manager().getDevice();
  }

  public DataType dataType() {
    return beforeProjection.weight().getDataType();
  }

  /** The loaded parameters (diffusers names), e.g. to compare checkpoint forms. */
  public Weights weights() {
    return weights;
  }

  /**
   * Opens the control stream: {@code baseTokens + before_proj(controlTokens)}.
   *
   * @param baseTokens (B, N, D) output of base block 0
   * @param controlTokens (B, N, D) control latents through the base patch + position embedding
   * @return (B, N, D) the input of copy 0, attached to {@code baseTokens}' manager
   */
  public NDArray start(NDArray baseTokens, NDArray controlTokens) {
    try (NDManager scope = NDManager.subManagerOf(baseTokens)) {
      scope.tempAttachAll(baseTokens);
      if (controlTokens != baseTokens) {
        scope.tempAttachAll(controlTokens);
      }
      NDArray projected = beforeProjection.apply(controlTokens); // (B, N, D)
      return scope.ret(baseTokens.add(projected)); // (B, N, D)
    }
  }

  /**
   * Runs copy {@code index} on the control stream, with the base model's modulation and captions.
   *
   * @param controlState (B, N, D) the stream after copy {@code index − 1} (or {@link #start})
   * @return (B, N, D) attached to {@code controlState}'s manager
   */
  public NDArray block(int index, NDArray controlState, EmbeddedInputs inputs) {
    Objects.checkIndex(index, copies.size());
    return copies
        .get(index)
        .forward(controlState, inputs.modulation(), inputs.captions(), inputs.captionBias());
  }

  /**
   * The residual copy {@code index} hands to the base stream: {@code after_proj(controlState)}.
   *
   * @param controlState (B, N, D) output of copy {@code index}
   * @return (B, N, D) attached to {@code controlState}'s manager
   */
  public NDArray toBase(int index, NDArray controlState) {
    Objects.checkIndex(index, afterProjections.size());
    return afterProjections.get(index).apply(controlState); // (B, N, D)
  }

  private static String prefix(int k) {
    return BLOCK_PREFIX + k + ".";
  }

  @Override
  public void close() {
    weights.close();
  }
}
