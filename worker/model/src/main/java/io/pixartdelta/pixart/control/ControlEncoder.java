package io.pixartdelta.pixart.control;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.control.ControlImageException.Code;
import io.pixartdelta.pixart.random.TorchGenerator;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import io.pixartdelta.pixart.vae.LatentDist;
import java.util.List;

/**
 * Turns a prepared control image into the control latent the ControlNet-Transformer consumes (as
 * {@code HEDdetector.forward} in PixArt-alpha @cac2fd3b {@code diffusion/model/hed.py} feeds the
 * VAE): edge map e in [0, 1] (by {@link ControlMapKind}), e' = (e − 0.5)/0.5 repeated to three
 * channels, VAE-encoded, the posterior mean (deterministic, the default here) or a sample mean +
 * std·ε (what the official demo does), times the VAE scaling factor (0.18215).
 *
 * <p>Shapes: B batch, H×W image size (multiples of 8), h×w = H/8 × W/8. Results are attached to the
 * image's manager. Thread-safe if the given models are.
 */
public final class ControlEncoder {
  // Rec. 601 luma, as PIL's convert("L") uses for an RGB edge map.
  private static final float LUMA_R = 0.299f;
  private static final float LUMA_G = 0.587f;
  private static final float LUMA_B = 0.114f;

  private final AutoencoderKl vae;
  private final HedDetector hed;
  private final CannyEdges canny;

  /**
   * @param vae the VAE of the pipeline the control latent is for
   * @param hed the HED network, or null if this worker has no HED weights ({@link
   *     ControlMapKind#HED} then fails with {@link Code#TYPE_UNAVAILABLE})
   * @param canny the Canny settings for {@link ControlMapKind#CANNY}
   */
  public ControlEncoder(AutoencoderKl vae, HedDetector hed, CannyEdges canny) {
    if (vae == null || canny == null) {
      throw new IllegalArgumentException("vae and canny are required");
    }
    this.vae = vae;
    this.hed = hed;
    this.canny = canny;
  }

  /**
   * The edge map of a batch of control images.
   *
   * @param image (B, 3, H, W) RGB in [0, 1]
   * @return (B, 1, H, W) in [0, 1]
   * @throws ControlImageException if {@code type} is HED and no HED network was given
   */
  public NDArray edgeMap(NDArray image, ControlMapKind type) {
    requireImage(image);
    switch (type) {
      case EDGES:
        return luminance(image);
      case HED:
        if (hed == null) {
          throw new ControlImageException(
              Code.TYPE_UNAVAILABLE, "control type hed needs HED weights, none were configured");
        }
        return hed.detect(image);
      case CANNY:
        return canny.detect(image);
      default:
        throw new IllegalArgumentException("unsupported control type " + type);
    }
  }

  /**
   * The deterministic control latent: posterior mean × scaling factor.
   *
   * @param image (B, 3, H, W) RGB in [0, 1]
   * @return (B, 4, h, w)
   */
  public NDArray encode(NDArray image, ControlMapKind type) {
    return encode(image, type, null);
  }

  /**
   * The control latent sampled as the official demo does: (mean + std·ε) × scaling factor.
   *
   * @param image (B, 3, H, W) RGB in [0, 1]
   * @param generators one per image; image i's ε, (1, 4, h, w), is the next draw of generator i;
   *     null for the posterior mean
   * @return (B, 4, h, w)
   */
  public NDArray encode(NDArray image, ControlMapKind type, List<TorchGenerator> generators) {
    requireImage(image);
    long batch = image.getShape().get(0);
    if (generators != null && generators.size() != batch) {
      throw new IllegalArgumentException(generators.size() + " generators for a batch of " + batch);
    }
    try (NDManager scope = image.getManager().newSubManager()) {
      scope.tempAttachAll(image);
      NDArray edges = edgeMap(image, type); // (B, 1, H, W)
      return scope.ret(encodeEdges(edges, generators)); // (B, 4, h, w)
    }
  }

  /**
   * The control latent of an edge map.
   *
   * @param edges (B, 1, H, W) in [0, 1]
   * @param generators one per image for a sampled latent, or null for the mean
   * @return (B, 4, h, w), attached to the edge map's manager
   */
  public NDArray encodeEdges(NDArray edges, List<TorchGenerator> generators) {
    Shape s = edges.getShape();
    if (s.dimension() != 4 || s.get(1) != 1 || s.get(0) == 0) {
      throw new IllegalArgumentException("edges must be (B, 1, H, W) with B > 0, got " + s);
    }
    if (generators != null && generators.size() != s.get(0)) {
      throw new IllegalArgumentException(
          generators.size() + " generators for a batch of " + s.get(0));
    }
    try (NDManager scope = edges.getManager().newSubManager()) {
      scope.tempAttachAll(edges);
      NDArray centred = edges.sub(0.5f).mul(2f); // (B, 1, H, W): (e − 0.5)/0.5
      NDArray rgb = NDArrays.concat(new NDList(centred, centred, centred), 1); // (B, 3, H, W)
      LatentDist dist = vae.encode(rgb);
      NDArray latent; // (B, 4, h, w)
      if (generators == null) {
        latent = dist.mean();
      } else {
        Shape one = new Shape(1).addAll(dist.mean().getShape().slice(1));
        NDList draws = new NDList(generators.size());
        for (TorchGenerator g : generators) {
          draws.add(g.randn(scope, one)); // (1, 4, h, w)
        }
        NDArray noise = NDArrays.concat(draws, 0); // (B, 4, h, w)
        latent = dist.sample(noise.toDevice(dist.mean().getDevice(), false));
      }
      return scope.ret(latent.mul(vae.scalingFactor())); // (B, 4, h, w)
    }
  }

  /** Rec. 601 luminance of an RGB image, (B, 3, H, W) → (B, 1, H, W), clipped to [0, 1]. */
  private static NDArray luminance(NDArray image) {
    try (NDManager scope = image.getManager().newSubManager()) {
      scope.tempAttachAll(image);
      NDList rgb = image.split(3, 1); // 3 × (B, 1, H, W)
      NDArray y =
          rgb.get(0)
              .mul(LUMA_R)
              .add(rgb.get(1).mul(LUMA_G))
              .add(rgb.get(2).mul(LUMA_B)); // (B, 1, H, W)
      return scope.ret(y.clip(0f, 1f));
    }
  }

  private static void requireImage(NDArray image) {
    Shape s = image.getShape();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(0) == 0) {
      throw new IllegalArgumentException("image must be (B, 3, H, W) with B > 0, got " + s);
    }
  }
}
