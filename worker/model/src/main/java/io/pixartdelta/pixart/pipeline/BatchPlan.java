package io.pixartdelta.pixart.pipeline;

import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import java.util.List;

/**
 * What one micro-batch shares, checked before anything touches the device: every request resolves
 * to the same render size and step count, uses one sampler and guidance scale, and is either plain
 * or controlled with one conditioning scale (its control image prepared at the render size).
 *
 * @param size the render size (aspect-ratio bin, or the request's own size without binning)
 * @param steps denoising steps
 * @param sampler LCM or DPM-Solver++
 * @param guidanceScale classifier-free guidance scale (guided when > 1)
 * @param controlScale the ControlNet conditioning scale, or {@code null} for a plain batch
 * @param images images in the batch (the sum of the requests' numImages)
 */
record BatchPlan(
    AspectRatioBins.Bin size,
    int steps,
    SchedulerKind sampler,
    float guidanceScale,
    Float controlScale,
    int images) {

  static final int LATENT_CHANNELS = 4;
  static final int VAE_SCALE = 8;

  boolean guided() {
    return guidanceScale > 1f;
  }

  boolean controlled() {
    return controlScale != null;
  }

  /**
   * Validates {@code requests} as one batch.
   *
   * @throws IllegalArgumentException naming the first request that does not fit the first one
   */
  static BatchPlan of(
      List<GenerationRequest> requests, AspectRatioBins bins, boolean hasControlNet) {
    if (requests == null || requests.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one request");
    }
    GenerationRequest head = requests.get(0);
    AspectRatioBins.Bin first = resolve(bins, head);
    int images = 0;
    for (GenerationRequest r : requests) {
      images += r.numImages();
      if ((r.control() == null) != (head.control() == null)
          || (r.control() != null && r.control().scale() != head.control().scale())) {
        throw new IllegalArgumentException(
            "a batch must be all controlled (with one conditioning scale) or all plain");
      }
      AspectRatioBins.Bin bin = resolve(bins, r);
      if (r.control() != null) {
        if (!hasControlNet) {
          throw new IllegalArgumentException("this pipeline has no ControlNet loaded");
        }
        if (r.control().image().height() != bin.height()
            || r.control().image().width() != bin.width()) {
          throw new IllegalArgumentException(
              "control image prepared at "
                  + r.control().image().height()
                  + "x"
                  + r.control().image().width()
                  + " but the request renders at "
                  + bin.height()
                  + "x"
                  + bin.width());
        }
      }
      if (r.sampler() != head.sampler() || r.guidanceScale() != head.guidanceScale()) {
        throw new IllegalArgumentException(
            "a batch must share sampler and guidance scale: "
                + head.sampler().wire()
                + "/"
                + head.guidanceScale()
                + " vs "
                + r.sampler().wire()
                + "/"
                + r.guidanceScale());
      }
      if (bin.height() != first.height()
          || bin.width() != first.width()
          || r.steps() != head.steps()) {
        throw new IllegalArgumentException(
            "a batch must share render size and steps: "
                + first.height()
                + "x"
                + first.width()
                + "/"
                + head.steps()
                + " vs "
                + bin.height()
                + "x"
                + bin.width()
                + "/"
                + r.steps());
      }
      checkInitialLatents(r, bin);
    }
    return new BatchPlan(
        first,
        head.steps(),
        head.sampler(),
        head.guidanceScale(),
        head.control() == null ? null : head.control().scale(),
        images);
  }

  static AspectRatioBins.Bin resolve(AspectRatioBins bins, GenerationRequest r) {
    return bins.resolve(r.height(), r.width(), r.binning());
  }

  private static void checkInitialLatents(GenerationRequest r, AspectRatioBins.Bin b) {
    if (r.initialLatents() == null) {
      return;
    }
    long expected =
        (long) r.numImages() * LATENT_CHANNELS * (b.height() / VAE_SCALE) * (b.width() / VAE_SCALE);
    if (r.initialLatents().length != expected) {
      throw new IllegalArgumentException(
          "initial latents have "
              + r.initialLatents().length
              + " values, expected "
              + expected
              + " for "
              + r.numImages()
              + "x"
              + LATENT_CHANNELS
              + "x"
              + b.height() / VAE_SCALE
              + "x"
              + b.width() / VAE_SCALE);
    }
  }
}
