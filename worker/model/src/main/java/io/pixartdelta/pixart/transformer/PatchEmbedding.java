package io.pixartdelta.pixart.transformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.pixartdelta.pixart.nn.Embeddings;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Latents to tokens: a p×p stride-p convolution, tokens in row-major patch order, plus the 2-D
 * sin-cos position embedding of the grid (diffusers {@code PatchEmbed}).
 *
 * <p>The position embedding is separable: the first D/2 channels depend only on the column, the
 * last D/2 only on the row. Per grid size the two per-axis tables (Wp × D/2 and Hp × D/2, float64
 * maths rounded to float32) are computed once and cached on the device, and broadcast onto the
 * token halves at each call, which adds exactly the same numbers as the full (N, D) table at a
 * fraction of its memory.
 *
 * <p>Shapes: B batch, C latent channels, H×W latent size, Hp = H/p, Wp = W/p, N = Hp·Wp, D hidden.
 */
final class PatchEmbedding implements AutoCloseable {
  private final NDArray weight; // (D, C, p, p)
  private final NDArray bias; // (D)
  private final int dim;
  private final int patch;
  private final double baseSize;
  private final double interpolationScale;
  private final DataType dtype;
  private final NDManager cacheManager;
  private final Map<Long, AxisTables> tables = new ConcurrentHashMap<>();

  /** Per-axis halves of the position embedding, float32, pre-shaped for broadcasting. */
  private record AxisTables(
      NDArray columns /* (1, 1, Wp, D/2) */, NDArray rows /* (1, Hp, 1, D/2) */) {}

  PatchEmbedding(Weights weights, PixArtConfig config, Device device, DataType dtype) {
    this.weight = weights.get("pos_embed.proj.weight");
    this.bias = weights.get("pos_embed.proj.bias");
    this.dim = config.innerDim();
    this.patch = config.patchSize();
    this.baseSize = config.baseGridSize();
    this.interpolationScale = config.interpolationScale();
    this.dtype = dtype;
    this.cacheManager = NDManager.newBaseManager(device);
    this.cacheManager.setName("pixart-position-embedding");
  }

  static void declare(WeightSpec spec, PixArtConfig config) {
    int p = config.patchSize();
    spec.expect("pos_embed.proj.weight", config.innerDim(), config.inChannels(), p, p);
    spec.expect("pos_embed.proj.bias", config.innerDim());
  }

  /**
   * Runs in the caller's scope.
   *
   * @param latents (B, C, H, W) in the model dtype, H and W multiples of p
   * @return (B, N, D) in the model dtype
   */
  NDArray forward(NDArray latents) {
    Shape s = latents.getShape();
    long b = s.get(0);
    int gridH = (int) (s.get(2) / patch);
    int gridW = (int) (s.get(3) / patch);
    Shape stride = new Shape(patch, patch);
    NDArray conv =
        Conv2d.conv2d(latents, weight, bias, stride, new Shape(0, 0), new Shape(1, 1), 1)
            .singletonOrThrow(); // (B, D, Hp, Wp)
    // Channels last, then add the embedding in float32 as the reference does (its table is fp32).
    NDArray tokens = conv.transpose(0, 2, 3, 1).toType(DataType.FLOAT32, false); // (B, Hp, Wp, D)
    AxisTables t = tables(gridH, gridW);
    NDList halves = tokens.split(2, 3); // 2 × (B, Hp, Wp, D/2)
    NDArray x = halves.get(0).add(t.columns()); // (B, Hp, Wp, D/2)
    NDArray y = halves.get(1).add(t.rows()); // (B, Hp, Wp, D/2)
    return NDArrays.concat(new NDList(x, y), 3)
        .reshape(b, (long) gridH * gridW, dim) // (B, N, D)
        .toType(dtype, false);
  }

  /**
   * The full position embedding of a grid, assembled from the cached tables.
   *
   * @return (1, Hp·Wp, D) float32 in {@code manager}
   */
  NDArray positionEmbedding(int gridH, int gridW, NDManager manager) {
    AxisTables t = tables(gridH, gridW);
    NDArray zeros =
        manager.zeros(new Shape(1, gridH, gridW, dim / 2), DataType.FLOAT32, t.rows().getDevice());
    NDArray x = zeros.add(t.columns()); // (1, Hp, Wp, D/2)
    NDArray y = zeros.add(t.rows()); // (1, Hp, Wp, D/2)
    return NDArrays.concat(new NDList(x, y), 3).reshape(1, (long) gridH * gridW, dim);
  }

  private AxisTables tables(int gridH, int gridW) {
    return tables.computeIfAbsent(((long) gridH << 32) | gridW, k -> compute(gridH, gridW));
  }

  private AxisTables compute(int gridH, int gridW) {
    int half = dim / 2;
    float[] columns =
        Embeddings.sinCos1d(Embeddings.gridPositions(gridW, baseSize, interpolationScale), half);
    float[] rows =
        Embeddings.sinCos1d(Embeddings.gridPositions(gridH, baseSize, interpolationScale), half);
    return new AxisTables(
        cacheManager.create(columns, new Shape(1, 1, gridW, half)),
        cacheManager.create(rows, new Shape(1, gridH, 1, half)));
  }

  /** Arrays held by the position-embedding cache (two per grid size seen). */
  int cachedArrays() {
    return cacheManager.getManagedArrays().size();
  }

  @Override
  public void close() {
    tables.clear();
    cacheManager.close();
  }
}
