package io.pixartdelta.pixart.text;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.torchscript.T5BlockScript;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import io.pixartdelta.pixart.weights.ShardedSafetensors;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The T5 v1.1 encoder stack ({@code T5EncoderModel}) that turns token ids into PixArt's caption
 * embeddings: {@code last_hidden_state}, as transformers @6b8b757 {@code
 * src/transformers/models/t5/modeling_t5.py} computes it.
 *
 * <p>Shapes: B batch, L sequence length (120), D {@code d_model}, H heads, d {@code d_kv}, F {@code
 * d_ff}.
 *
 * <p>Forward: embedding lookup (no scaling); one additive bias shared by every block = block 0's
 * relative-position table gathered by bucket plus the key-padding mask {@code (1 − m) · min}; then
 * per block a pre-norm self-attention without the 1/√d scaling and a pre-norm gated tanh-GELU
 * feed-forward, both residual; a final RMS norm. RMS norms compute their variance in fp32.
 *
 * <p>Precision plan. On the CPU everything is fp32. With a 16-bit compute type (GPU), the
 * projections q, k, v, o, wi_0 and wi_1 run in that type while the residual stream, the RMS norms
 * (and their weights), the gated product and {@code wo} stay in fp32: T5 v1.1 activations overflow
 * fp16 in the feed-forward output (transformers keeps {@code wo} in fp32 for the same reason). The
 * output is returned in the compute type. The mask bias uses the most negative finite value of the
 * compute type, so a fused kernel taking the bias in that type never sees −∞.
 *
 * <p>Weight storage ({@link T5WeightStorage}). With {@code INT8} the seven linears of every block
 * and the token embedding table are kept as per-row int8 ({@link Int8Rows}) and dequantized at use,
 * one block at a time, into the type the precision plan gives the layer (fp32 for {@code wo}); the
 * norms and the relative-position table stay as above.
 *
 * <p>With {@link TorchScriptKernels} each block runs as one TorchScript call ({@link
 * T5BlockScript}, int8 dequantization inside it); otherwise op by op through {@link Kernels}.
 *
 * <p>Thread-safe: the weights are read-only and every call works in its own NDManager scope.
 */
public final class T5Encoder implements AutoCloseable {
  /** fp16's most negative finite value, {@code torch.finfo(torch.float16).min}. */
  private static final float FP16_MIN = -65504f;

  /** bf16's most negative finite value, {@code torch.finfo(torch.bfloat16).min}. */
  private static final float BF16_MIN = -3.3895314e38f;

  private final T5Config config;
  private final Weights weights;
  private final Device device;
  private final DataType dtype;
  private final Kernels kernels;
  private final T5WeightStorage storage;
  private final T5BlockScript script; // null: op by op
  private final NDArray shared; // (vocab, D), INT8 when quantized
  private final NDArray sharedScale; // (vocab, 1) in the compute type; null unless INT8
  private final NDArray relativeAttentionBias; // (buckets, H)
  private final NDArray finalLayerNorm; // (D)
  private final List<BlockWeights> blocks;
  private final Map<Long, long[]> bucketTables = new ConcurrentHashMap<>(); // (Lq << 32 | Lk)

  /**
   * One encoder block's parameters; norms and {@code wo} in fp32, the rest in the compute type. A
   * quantized linear is INT8 with its (rows, 1) scales in the layer's type; a full one has a null
   * scale.
   */
  private record BlockWeights(
      NDArray attentionNorm, // (D)
      LinearWeight q, // (H·d, D)
      LinearWeight k, // (H·d, D)
      LinearWeight v, // (H·d, D)
      LinearWeight o, // (D, H·d)
      NDArray feedForwardNorm, // (D)
      LinearWeight wi0, // (F, D) gate branch
      LinearWeight wi1, // (F, D) linear branch
      LinearWeight wo, // (D, F)
      List<NDArray> scriptParameters) {} // T5BlockScript order

  /** A linear's weight (rows, cols) and, when stored as int8, its (rows, 1) scales. */
  private record LinearWeight(NDArray weight, NDArray scale) {
    /** The weight in {@code type}: itself, or dequantized into {@code scope}. */
    NDArray resolve(DataType type, NDManager scope) {
      return scale == null ? weight : Int8Rows.dequantize(weight, scale, type, scope);
    }
  }

  private T5Encoder(
      T5Config config,
      Weights weights,
      Device device,
      DataType dtype,
      Kernels kernels,
      T5WeightStorage storage) {
    this.config = config;
    this.weights = weights;
    this.device = device;
    this.dtype = dtype;
    this.kernels = kernels;
    this.storage = storage;
    this.shared = weights.get("shared.weight");
    this.sharedScale = scaleOf("shared.weight");
    this.relativeAttentionBias =
        weights.get(blockPrefix(0) + "layer.0.SelfAttention.relative_attention_bias.weight");
    this.finalLayerNorm = weights.get("encoder.final_layer_norm.weight");
    List<BlockWeights> list = new ArrayList<>();
    for (int i = 0; i < config.numLayers(); i++) {
      String p = blockPrefix(i);
      List<String> order =
          storage == T5WeightStorage.INT8
              ? T5BlockScript.INT8_PARAMETERS
              : T5BlockScript.PARAMETERS;
      List<NDArray> scriptParameters = new ArrayList<>(order.size());
      for (String name : order) {
        scriptParameters.add(weights.get(p + name));
      }
      list.add(
          new BlockWeights(
              weights.get(p + "layer.0.layer_norm.weight"),
              linear(p + "layer.0.SelfAttention.q.weight"),
              linear(p + "layer.0.SelfAttention.k.weight"),
              linear(p + "layer.0.SelfAttention.v.weight"),
              linear(p + "layer.0.SelfAttention.o.weight"),
              weights.get(p + "layer.1.layer_norm.weight"),
              linear(p + "layer.1.DenseReluDense.wi_0.weight"),
              linear(p + "layer.1.DenseReluDense.wi_1.weight"),
              linear(p + "layer.1.DenseReluDense.wo.weight"),
              List.copyOf(scriptParameters)));
    }
    this.blocks = List.copyOf(list);
    this.script =
        kernels instanceof TorchScriptKernels
            ? T5BlockScript.load(weights.manager().getDevice())
            : null;
  }

  private NDArray scaleOf(String name) {
    String scale = Int8WeightLoader.scaleName(name);
    return weights.has(scale) ? weights.get(scale) : null;
  }

  private LinearWeight linear(String name) {
    return new LinearWeight(weights.get(name), scaleOf(name));
  }

  /**
   * Loads {@code textEncoderDir/config.json} and the weights, from {@code
   * model.safetensors.index.json} (sharded, as the real checkpoint) or a single {@code
   * model.safetensors}.
   *
   * @param dtype compute type: FLOAT32 (CPU, reference), FLOAT16 or BFLOAT16 (GPU)
   * @param kernels attention / norm / GELU backend
   * @throws WeightException if the config or weights are missing, unsupported or do not match
   */
  public static T5Encoder load(
      Path textEncoderDir, Device device, DataType dtype, Kernels kernels) {
    return load(textEncoderDir, device, dtype, kernels, T5WeightStorage.FULL);
  }

  /**
   * {@link #load(Path, Device, DataType, Kernels)} with a choice of weight storage; {@code INT8}
   * quantizes the ordinary checkpoint while loading it, tensor by tensor.
   */
  public static T5Encoder load(
      Path textEncoderDir,
      Device device,
      DataType dtype,
      Kernels kernels,
      T5WeightStorage storage) {
    checkDtype(dtype);
    T5Config config = T5Config.fromJson(textEncoderDir.resolve("config.json"));
    try (TensorSource source = openWeights(textEncoderDir)) {
      return fromSource(config, source, device, dtype, kernels, storage);
    }
  }

  private static void checkDtype(DataType dtype) {
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16 && dtype != DataType.BFLOAT16) {
      throw new IllegalArgumentException(
          "dtype must be FLOAT32, FLOAT16 or BFLOAT16, got " + dtype);
    }
  }

  /**
   * Builds the encoder from any tensor source checked against {@link #weightSpec} (random weights
   * for benchmarks, converted checkpoints); the source stays owned by the caller.
   */
  public static T5Encoder fromSource(
      T5Config config, TensorSource source, Device device, DataType dtype, Kernels kernels) {
    return fromSource(config, source, device, dtype, kernels, T5WeightStorage.FULL);
  }

  /** {@link #fromSource(T5Config, TensorSource, Device, DataType, Kernels)} with a storage. */
  public static T5Encoder fromSource(
      T5Config config,
      TensorSource source,
      Device device,
      DataType dtype,
      Kernels kernels,
      T5WeightStorage storage) {
    checkDtype(dtype);
    if (storage == null) {
      throw new IllegalArgumentException("storage is required");
    }
    Weights weights =
        storage == T5WeightStorage.INT8
            ? Int8WeightLoader.load(
                source,
                weightSpec(config),
                device,
                name -> parameterType(name, dtype),
                T5Encoder::isQuantized)
            : StrictLoader.load(
                source, weightSpec(config), device, dtype, name -> parameterType(name, dtype));
    try {
      return new T5Encoder(config, weights, device, dtype, kernels, storage);
    } catch (RuntimeException e) {
      weights.close();
      throw e;
    }
  }

  /**
   * Whether {@code INT8} storage quantizes parameter {@code name}: the token embedding and the
   * seven linears of every block (not the norms, not the small relative-position table).
   */
  public static boolean isQuantized(String name) {
    return name.equals("shared.weight")
        || (name.endsWith(".weight")
            && (name.contains(".SelfAttention.") || name.contains(".DenseReluDense."))
            && !name.endsWith("relative_attention_bias.weight"));
  }

  private static TensorSource openWeights(Path dir) {
    return ShardedSafetensors.openFolder(
        dir, "model.safetensors", "model.safetensors.index.json", "T5");
  }

  /**
   * Every parameter of a T5 encoder with {@code config}'s sizes (the {@code T5EncoderModel} state
   * dict of transformers' {@code modeling_t5.py}). The token embedding may be stored as {@code
   * shared.weight} or as its tied copy {@code encoder.embed_tokens.weight}; when both are present
   * the second is accepted and not loaded. Only block 0 carries the relative attention bias table.
   */
  public static WeightSpec weightSpec(T5Config c) {
    long d = c.dModel();
    long inner = c.innerDim();
    WeightSpec spec = new WeightSpec();
    spec.expect("shared.weight", c.vocabSize(), d);
    spec.alias("shared.weight", "encoder.embed_tokens.weight");
    spec.expect(
        blockPrefix(0) + "layer.0.SelfAttention.relative_attention_bias.weight",
        c.relativeAttentionNumBuckets(),
        c.numHeads());
    for (int i = 0; i < c.numLayers(); i++) {
      String p = blockPrefix(i);
      spec.expect(p + "layer.0.layer_norm.weight", d);
      spec.expect(p + "layer.0.SelfAttention.q.weight", inner, d);
      spec.expect(p + "layer.0.SelfAttention.k.weight", inner, d);
      spec.expect(p + "layer.0.SelfAttention.v.weight", inner, d);
      spec.expect(p + "layer.0.SelfAttention.o.weight", d, inner);
      spec.expect(p + "layer.1.layer_norm.weight", d);
      spec.expect(p + "layer.1.DenseReluDense.wi_0.weight", c.dFf(), d);
      spec.expect(p + "layer.1.DenseReluDense.wi_1.weight", c.dFf(), d);
      spec.expect(p + "layer.1.DenseReluDense.wo.weight", d, c.dFf());
    }
    spec.expect("encoder.final_layer_norm.weight", d);
    return spec;
  }

  /**
   * The storage type of parameter {@code name} for compute type {@code dtype}: fp32 for the RMS
   * norm weights and the feed-forward output {@code wo} (see the precision plan), {@code dtype}
   * otherwise.
   */
  static DataType parameterType(String name, DataType dtype) {
    return name.endsWith("layer_norm.weight") || name.endsWith("DenseReluDense.wo.weight")
        ? DataType.FLOAT32
        : dtype;
  }

  private static String blockPrefix(int i) {
    return "encoder.block." + i + ".";
  }

  /**
   * Encodes a batch of token ids.
   *
   * @param ids (B, L) integer token ids
   * @param mask (B, L) 1 for real tokens (EOS included), 0 for padding; integer or float
   * @return (B, L, D) {@code last_hidden_state} in the compute type, on this encoder's device,
   *     attached to the manager of {@code ids}
   */
  public NDArray encode(NDArray ids, NDArray mask) {
    return encode(ids, mask, null);
  }

  /**
   * {@link #encode(NDArray, NDArray)} reporting intermediate tensors to {@code probe} (if not null)
   * under the reference's module names: {@code encoder.embed_tokens}, {@code encoder.block.<i>}
   * (residual stream after block i) and {@code encoder.final_layer_norm}. The reported arrays are
   * only valid during the callback.
   */
  NDArray encode(NDArray ids, NDArray mask, BiConsumer<String, NDArray> probe) {
    Shape shape = ids.getShape();
    if (shape.dimension() != 2 || !mask.getShape().equals(shape)) {
      throw new IllegalArgumentException(
          "ids and mask must both be (B, L), got " + shape + " and " + mask.getShape());
    }
    if (!ids.getDataType().isInteger()) {
      throw new IllegalArgumentException("ids must be integers, got " + ids.getDataType());
    }
    int batch = (int) shape.get(0);
    int length = (int) shape.get(1);
    NDManager caller = ids.getManager();
    try (NDManager scope = caller.newSubManager(device)) {
      ids.tempAttach(scope);
      mask.tempAttach(scope);
      NDArray tokens = ids.toDevice(device, false).toType(DataType.INT64, false); // (B, L)
      checkVocabularyRange(tokens);
      NDArray embedded = embed(tokens); // (B, L, D)
      report(probe, "encoder.embed_tokens", embedded);
      NDArray bias = attentionBias(scope, mask, batch, length); // (B, H, L, L)
      NDArray h = embedded.toType(DataType.FLOAT32, false); // (B, L, D) fp32 residual stream
      for (int i = 0; i < blocks.size(); i++) {
        NDArray next = block(blocks.get(i), h, bias, batch, length); // (B, L, D)
        if (h != embedded) {
          h.close(); // the previous residual; keeps activations to one block's worth
        }
        h = next;
        report(probe, "encoder.block." + i, h);
      }
      NDArray out =
          kernels.rmsNorm(h, finalLayerNorm, config.epsilon()).toType(dtype, false); // (B, L, D)
      report(probe, "encoder.final_layer_norm", out);
      out.attach(caller);
      return out;
    }
  }

  /** Out-of-range ids would fail deep inside libtorch's embedding; name the problem instead. */
  private void checkVocabularyRange(NDArray tokens) {
    if (tokens.isEmpty()) {
      return;
    }
    long min = tokens.min().getLong();
    long max = tokens.max().getLong();
    if (min < 0 || max >= config.vocabSize()) {
      throw new IllegalArgumentException(
          "token ids must be in [0, " + config.vocabSize() + "), got [" + min + ", " + max + "]");
    }
  }

  private static void report(BiConsumer<String, NDArray> probe, String name, NDArray value) {
    if (probe != null) {
      probe.accept(name, value);
    }
  }

  /** (B, L) int64 ids → (B, L, D) embeddings in the compute type (dequantized rows for INT8). */
  private NDArray embed(NDArray tokens) {
    NDArray rows =
        Embedding.embedding(tokens, shared, SparseFormat.DENSE).singletonOrThrow(); // (B, L, D)
    if (sharedScale == null) {
      return rows;
    }
    NDArray scales =
        Embedding.embedding(tokens, sharedScale, SparseFormat.DENSE)
            .singletonOrThrow(); // (B, L, 1)
    return rows.toType(dtype, false).mul(scales); // (B, L, D)
  }

  /**
   * One encoder block on the fp32 residual stream {@code h} (B, L, D), in a scope of its own so
   * that dequantized weights and intermediates are freed before the next block.
   *
   * @return (B, L, D) fp32, attached to {@code h}'s manager
   */
  private NDArray block(BlockWeights w, NDArray h, NDArray bias, int batch, int length) {
    NDManager owner = h.getManager();
    try (NDManager scope = owner.newSubManager()) {
      h.tempAttach(scope);
      NDArray out =
          script != null
              ? script.forward(
                  h, bias, config.numHeads(), config.epsilon(), w.scriptParameters()) // (B, L, D)
              : blockOpByOp(w, h, bias, batch, length, scope);
      out.attach(owner);
      return out;
    }
  }

  private NDArray blockOpByOp(
      BlockWeights w, NDArray h, NDArray bias, int batch, int length, NDManager scope) {
    int heads = config.numHeads();
    int dKv = config.dKv();
    // Self-attention sub-layer.
    NDArray a = kernels.rmsNorm(h, w.attentionNorm(), config.epsilon()).toType(dtype, false);
    NDArray q = splitHeads(project(a, w.q(), dtype, scope), batch, length); // (B, H, L, d)
    NDArray k = splitHeads(project(a, w.k(), dtype, scope), batch, length); // (B, H, L, d)
    NDArray v = splitHeads(project(a, w.v(), dtype, scope), batch, length); // (B, H, L, d)
    NDArray context =
        kernels
            .attention(q, k, v, bias, 1f) // (B, H, L, d): T5 folds 1/√d into its weights
            .transpose(0, 2, 1, 3)
            .reshape(batch, length, (long) heads * dKv); // (B, L, H·d)
    NDArray attended = project(context, w.o(), dtype, scope); // (B, L, D)
    h = h.add(attended.toType(DataType.FLOAT32, false)); // (B, L, D)
    // Gated feed-forward sub-layer: wo(gelu_tanh(wi_0·f) ⊙ wi_1·f), product and wo in fp32.
    NDArray f = kernels.rmsNorm(h, w.feedForwardNorm(), config.epsilon()).toType(dtype, false);
    NDArray gate = project(f, w.wi0(), dtype, scope).toType(DataType.FLOAT32, false); // (B, L, F)
    NDArray linear = project(f, w.wi1(), dtype, scope).toType(DataType.FLOAT32, false); // (B, L, F)
    NDArray hidden = kernels.geluTanh(gate).mul(linear); // (B, L, F)
    return h.add(project(hidden, w.wo(), DataType.FLOAT32, scope)); // (B, L, D)
  }

  /** {@code x · Wᵀ} with W in {@code type} (dequantized into {@code scope} when int8). */
  private static NDArray project(NDArray x, LinearWeight w, DataType type, NDManager scope) {
    return Linear.linear(x, w.resolve(type, scope)).singletonOrThrow();
  }

  /** (B, L, H·d) → (B, H, L, d). */
  private NDArray splitHeads(NDArray x, int batch, int length) {
    return x.reshape(batch, length, config.numHeads(), config.dKv()).transpose(0, 2, 1, 3);
  }

  /**
   * The bias shared by every block: relative-position bias plus the key-padding mask, (B, H, L, L)
   * in the compute type.
   */
  private NDArray attentionBias(NDManager scope, NDArray mask, int batch, int length) {
    NDArray position = relativePositionBias(scope, length, length); // (1, H, L, L) fp32
    NDArray keep = mask.toDevice(device, false).toType(DataType.FLOAT32, false); // (B, L)
    NDArray padding =
        keep.neg().add(1f).mul(mostNegative(dtype)).reshape(batch, 1, 1, length); // (B, 1, 1, L)
    return padding.add(position).toType(dtype, false); // (B, H, L, L)
  }

  /**
   * Block 0's relative-position bias for a (queryLength, keyLength) attention, without the mask:
   * {@code bias[0, h, q, k] = table[bucket(k − q), h]}.
   *
   * @return (1, H, queryLength, keyLength) fp32, in {@code manager}
   */
  NDArray relativePositionBias(NDManager manager, int queryLength, int keyLength) {
    long[] buckets =
        bucketTables.computeIfAbsent(
            ((long) queryLength << 32) | keyLength,
            key ->
                RelativePositionBuckets.table(
                    queryLength,
                    keyLength,
                    config.relativeAttentionNumBuckets(),
                    config.relativeAttentionMaxDistance()));
    NDArray index =
        manager.create(buckets, new Shape(queryLength, keyLength)).toDevice(device, false);
    return Embedding.embedding(index, relativeAttentionBias, SparseFormat.DENSE)
        .singletonOrThrow() // (Lq, Lk, H)
        .toType(DataType.FLOAT32, false)
        .transpose(2, 0, 1) // (H, Lq, Lk)
        .expandDims(0); // (1, H, Lq, Lk)
  }

  /** {@code torch.finfo(dtype).min}: the additive bias of a masked key. */
  static float mostNegative(DataType dtype) {
    return switch (dtype) {
      case FLOAT16 -> FP16_MIN;
      case BFLOAT16 -> BF16_MIN;
      default -> -Float.MAX_VALUE;
    };
  }

  public T5Config config() {
    return config;
  }

  public DataType dtype() {
    return dtype;
  }

  public Device device() {
    return device;
  }

  /** How the weights are stored. */
  public T5WeightStorage storage() {
    return storage;
  }

  /** The loaded parameters (capped manager), for inspection and leak checks. */
  public Weights weights() {
    return weights;
  }

  /** Bytes the loaded parameters occupy on the device (int8 values and their scales included). */
  public long deviceBytes() {
    return deviceBytes(weights);
  }

  /**
   * Bytes a T5 encoder with {@code config}'s sizes occupies on the device with compute type {@code
   * dtype} and {@code storage}, from the {@link #weightSpec} shapes: what {@link #deviceBytes()}
   * reports once loaded (for budgets computed before loading anything).
   */
  public static long weightBytes(T5Config config, DataType dtype, T5WeightStorage storage) {
    long total = 0;
    for (Map.Entry<String, Shape> e : weightSpec(config).expected().entrySet()) {
      Shape shape = e.getValue();
      long typeBytes = parameterType(e.getKey(), dtype).getNumOfBytes();
      if (storage == T5WeightStorage.INT8 && isQuantized(e.getKey())) {
        total += shape.size() + shape.get(0) * typeBytes; // int8 values + one scale per row
      } else {
        total += shape.size() * typeBytes;
      }
    }
    return total;
  }

  /** Bytes occupied by {@code weights}' arrays: element count × element size. */
  static long deviceBytes(Weights weights) {
    long total = 0;
    for (NDArray a : weights.all().values()) {
      total += a.getShape().size() * a.getDataType().getNumOfBytes();
    }
    return total;
  }

  @Override
  public void close() {
    if (script != null) {
      script.close();
    }
    weights.close();
  }
}
