package io.pixartdelta.pixart.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import io.pixartdelta.pixart.weights.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * One block of the HED network ({@code DoubleConvBlock}): an optional 2×2 max-pool with stride 2,
 * then L 3×3 convolutions (padding 1) each followed by ReLU, and a 1×1 projection of the result to
 * one channel. Weights are only ever second operands (DJL's static conv attaches results to the
 * input's manager).
 */
final class HedBlock {
  private static final Shape UNIT = new Shape(1, 1);
  private static final Shape PAD_ONE = new Shape(1, 1);
  private static final Shape NO_PAD = new Shape(0, 0);
  private static final Shape POOL = new Shape(2, 2);

  private final List<NDArray> convWeights = new ArrayList<>();
  private final List<NDArray> convBiases = new ArrayList<>();
  private final NDArray projectionWeight;
  private final NDArray projectionBias;
  private final boolean pool;

  /** Block {@code k} (0-based) of {@code weights}; all blocks but the first pool first. */
  HedBlock(Weights weights, int k) {
    for (int i = 0; i < HedConfig.LAYERS.get(k); i++) {
      convWeights.add(weights.get(HedConfig.convName(k, i) + ".weight"));
      convBiases.add(weights.get(HedConfig.convName(k, i) + ".bias"));
    }
    projectionWeight = weights.get(HedConfig.projectionName(k) + ".weight");
    projectionBias = weights.get(HedConfig.projectionName(k) + ".bias");
    pool = k > 0;
  }

  /**
   * 2×2 max-pool, stride 2, no padding, floor mode: an odd last row or column is dropped.
   *
   * @param x (B, C, H, W)
   * @return (B, C, ⌊H/2⌋, ⌊W/2⌋)
   */
  static NDArray maxPool2x2(NDArray x) {
    return Pool.maxPool2d(x, POOL, POOL, NO_PAD, false);
  }

  /**
   * Runs the block; intermediates are attached to x's manager (the caller scopes them).
   *
   * @param x (B, I, H, W)
   * @return [features (B, O, H', W'), projection (B, 1, H', W')] with H' = H, or ⌊H/2⌋ if pooling
   */
  NDList forward(NDArray x) {
    NDArray h = pool ? maxPool2x2(x) : x; // (B, I, H', W')
    for (int i = 0; i < convWeights.size(); i++) {
      NDArray conv =
          Conv2d.conv2d(h, convWeights.get(i), convBiases.get(i), UNIT, PAD_ONE, UNIT, 1)
              .singletonOrThrow(); // (B, O, H', W')
      NDArray activated = Activation.relu(conv); // (B, O, H', W')
      conv.close(); // full-resolution activations are large: keep at most two alive
      if (h != x) {
        h.close();
      }
      h = activated;
    }
    NDArray projection =
        Conv2d.conv2d(h, projectionWeight, projectionBias, UNIT, NO_PAD, UNIT, 1)
            .singletonOrThrow(); // (B, 1, H', W')
    return new NDList(h, projection);
  }
}
