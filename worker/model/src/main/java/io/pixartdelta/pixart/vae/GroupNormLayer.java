package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.nn.Kernels;
import java.util.List;

/** GroupNorm with affine parameters (C) and the VAE's eps 1e-6, computed by {@link Kernels}. */
final class GroupNormLayer {
  static final float EPS = 1e-6f;

  private final NDArray gamma;
  private final NDArray beta;
  private final int groups;
  private final Kernels kernels;

  GroupNormLayer(VaeParams p, String prefix, int channels, int groups, Kernels kernels) {
    this.gamma = p.get(prefix + ".weight", channels);
    this.beta = p.get(prefix + ".bias", channels);
    this.groups = groups;
    this.kernels = kernels;
  }

  /**
   * @param x (B, C, H, W)
   * @return (B, C, H, W), attached to x's manager
   */
  NDArray forward(NDArray x) {
    // A kernel may reshape gamma/beta; an op whose first operand is a weight would attach to the
    // capped weights manager and throw, so hand it copies owned by the activation's manager
    // (C floats each: negligible next to the activation).
    Shape perChannel = gamma.getShape();
    NDArray localGamma = x.getManager().zeros(perChannel, gamma.getDataType()).add(gamma); // (C)
    NDArray localBeta = x.getManager().zeros(perChannel, beta.getDataType()).add(beta); // (C)
    return kernels.groupNorm(x, groups, localGamma, localBeta, EPS);
  }

  /** Appends gamma and beta (the order {@code torch.group_norm} takes them) for a block script. */
  void appendTo(List<NDArray> params) {
    params.add(gamma);
    params.add(beta);
  }

  int groups() {
    return groups;
  }
}
