package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.weights.WeightSpec;
import io.pixartdelta.pixart.weights.Weights;

/**
 * The output head: {@code Linear(LN(x)·(1 + scale) + shift)} with {@code (shift, scale)} the rows
 * of {@code scale_shift_table + cond} (the conditioning vector, not the block modulation), then
 * unpatchify. Runs in the caller's scope.
 *
 * <p>Shapes: B batch, N = Hp·Wp tokens, D hidden, p patch, C output channels.
 */
final class FinalLayer {
  /** The final LayerNorm's epsilon; fixed in the reference, independent of {@code norm_eps}. */
  static final float NORM_EPS = 1e-6f;

  private final NDArray scaleShiftTable; // (2, D)
  private final LinearLayer projection; // (p·p·C, D)
  private final int dim;
  private final int patch;
  private final int channels;
  private final Kernels kernels;

  FinalLayer(Weights weights, PixArtConfig config, Kernels kernels) {
    this.scaleShiftTable = weights.get("scale_shift_table");
    this.projection = LinearLayer.of(weights, "proj_out");
    this.dim = config.innerDim();
    this.patch = config.patchSize();
    this.channels = config.outChannels();
    this.kernels = kernels;
  }

  static void declare(WeightSpec spec, PixArtConfig config) {
    int d = config.innerDim();
    spec.expect("scale_shift_table", 2, d);
    LinearLayer.declare(spec, "proj_out", config.patchOutputDim(), d, true);
  }

  /**
   * @param x (B, N, D)
   * @param cond (B, D)
   * @return (B, N, p·p·C), channel index (u·p + v)·C + c
   */
  NDArray forward(NDArray x, NDArray cond) {
    long b = x.getShape().get(0);
    NDList shiftScale = cond.reshape(b, 1, dim).add(scaleShiftTable).split(2, 1); // 2 × (B, 1, D)
    NDArray h =
        PixArtBlock.modulate(kernels.layerNorm(x, NORM_EPS), shiftScale.get(0), shiftScale.get(1));
    return projection.apply(h);
  }

  /**
   * Patch tokens back to an image: {@code y[b, c, p·i + u, p·j + v] = out[b, i·Wp + j, (u·p + v)·C
   * + c]}.
   *
   * @param out (B, Hp·Wp, p·p·C)
   * @return (B, C, Hp·p, Wp·p)
   */
  NDArray unpatchify(NDArray out, int gridH, int gridW) {
    long b = out.getShape().get(0);
    return out.reshape(b, gridH, gridW, patch, patch, channels) // (B, Hp, Wp, p, p, C)
        .transpose(0, 5, 1, 3, 2, 4) // (B, C, Hp, p, Wp, p)
        .reshape(b, channels, (long) gridH * patch, (long) gridW * patch); // (B, C, H, W)
  }
}
