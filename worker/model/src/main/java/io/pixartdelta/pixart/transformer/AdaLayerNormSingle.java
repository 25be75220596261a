package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import io.pixartdelta.pixart.nn.Embeddings;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;

/**
 * adaLN-single: the timestep and micro-condition embedding shared by all blocks (diffusers {@code
 * AdaLayerNormSingle} with {@code PixArtAlphaCombinedTimestepSizeEmbeddings}).
 *
 * <ul>
 *   <li>{@code cond = MLP_t(TE(t)) + [MLP_res(TE(h)), MLP_res(TE(w)), MLP_ar(TE(h/w))]} (D wide;
 *       the micro-condition part only if the config uses additional conditions)
 *   <li>{@code mod = Linear(SiLU(cond))} (6·D wide)
 * </ul>
 *
 * TE is the 256-wide sinusoidal embedding with cosines first; each MLP is Linear → SiLU → Linear.
 *
 * <p>Runs in the caller's scope. Shapes: B batch, D hidden.
 */
final class AdaLayerNormSingle {
  private static final String PREFIX = "adaln_single.";

  private final LinearLayer timestep1;
  private final LinearLayer timestep2;
  private final LinearLayer resolution1;
  private final LinearLayer resolution2;
  private final LinearLayer aspectRatio1;
  private final LinearLayer aspectRatio2;
  private final LinearLayer modulationLayer;
  private final boolean additionalConditions;
  private final DataType dtype;

  AdaLayerNormSingle(Weights weights, PixArtConfig config, DataType dtype) {
    String emb = PREFIX + "emb.";
    this.timestep1 = LinearLayer.of(weights, emb + "timestep_embedder.linear_1");
    this.timestep2 = LinearLayer.of(weights, emb + "timestep_embedder.linear_2");
    this.additionalConditions = config.useAdditionalConditions();
    if (additionalConditions) {
      this.resolution1 = LinearLayer.of(weights, emb + "resolution_embedder.linear_1");
      this.resolution2 = LinearLayer.of(weights, emb + "resolution_embedder.linear_2");
      this.aspectRatio1 = LinearLayer.of(weights, emb + "aspect_ratio_embedder.linear_1");
      this.aspectRatio2 = LinearLayer.of(weights, emb + "aspect_ratio_embedder.linear_2");
    } else {
      this.resolution1 = null;
      this.resolution2 = null;
      this.aspectRatio1 = null;
      this.aspectRatio2 = null;
    }
    this.modulationLayer = LinearLayer.of(weights, PREFIX + "linear");
    this.dtype = dtype;
  }

  static void declare(WeightSpec spec, PixArtConfig config) {
    int d = config.innerDim();
    int f = PixArtConfig.FREQUENCY_CHANNELS;
    String emb = PREFIX + "emb.";
    LinearLayer.declare(spec, emb + "timestep_embedder.linear_1", d, f, true);
    LinearLayer.declare(spec, emb + "timestep_embedder.linear_2", d, d, true);
    if (config.useAdditionalConditions()) {
      int c = config.microConditionDim();
      for (String name : new String[] {"resolution_embedder", "aspect_ratio_embedder"}) {
        LinearLayer.declare(spec, emb + name + ".linear_1", c, f, true);
        LinearLayer.declare(spec, emb + name + ".linear_2", c, c, true);
      }
    }
    LinearLayer.declare(
        spec, PREFIX + "linear", PixArtConfig.MODULATION_CHUNKS * (long) d, d, true);
  }

  /** TE(v) for the scalars {@code values} (N) → (N, 256) float32, cosines first. */
  static NDArray frequencies(NDArray values) {
    return Embeddings.sinusoidal(values, PixArtConfig.FREQUENCY_CHANNELS, true, 0f);
  }

  /**
   * The conditioning vector ({@code embedded_timestep}).
   *
   * @param timesteps (B)
   * @param resolution (B, 2) image height and width in pixels; ignored without micro-conditions
   * @param aspectRatio (B, 1) height / width; ignored without micro-conditions
   * @return (B, D) in the model dtype
   */
  NDArray condition(NDArray timesteps, NDArray resolution, NDArray aspectRatio) {
    long b = timesteps.getShape().get(0);
    NDArray t = mlp(frequencies(timesteps), timestep1, timestep2); // (B, D)
    if (!additionalConditions) {
      return t;
    }
    NDArray sizes = mlp(frequencies(resolution.reshape(-1)), resolution1, resolution2); // (2B, D/3)
    NDArray ratio =
        mlp(frequencies(aspectRatio.reshape(-1)), aspectRatio1, aspectRatio2); // (B, D/3)
    NDArray micro =
        NDArrays.concat(new NDList(sizes.reshape(b, -1), ratio.reshape(b, -1)), 1); // (B, D)
    return t.add(micro);
  }

  /** {@code Linear(SiLU(cond))}: (B, D) → (B, 6·D). */
  NDArray modulation(NDArray cond) {
    return modulationLayer.apply(silu(cond));
  }

  private NDArray mlp(NDArray frequencies, LinearLayer first, LinearLayer second) {
    return second.apply(silu(first.apply(frequencies.toType(dtype, false))));
  }

  static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }
}
