package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.worker.batch.BatchKey;
import java.util.Objects;

/**
 * One job as the renderer sees it: every default applied and every wire value already in the
 * model's types (see {@link ModelTypes}), so nothing downstream parses or resolves again.
 *
 * @param jobId the job's id (for logs and errors)
 * @param prompt text prompt, may be empty
 * @param seed seed of the first image; image {@code i} uses {@link #seedOf(int) seedOf(i)}
 * @param width output width in pixels
 * @param height output height in pixels
 * @param binning true: render at the nearest aspect-ratio bin and resize back; false: render
 *     exactly width × height
 * @param renderSize the size the model renders at, resolved once by {@link Renderer#renderSize(int,
 *     int, boolean)}
 * @param steps denoising steps
 * @param numImages images to render (1..4)
 * @param scheduler the model's scheduler for the job's sampler
 * @param guidance the guidance scale, the job's own or the scheduler's default
 * @param control control map, or null for text-to-image
 */
public record RenderItem(
    String jobId,
    String prompt,
    long seed,
    int width,
    int height,
    boolean binning,
    AspectRatioBins.Bin renderSize,
    int steps,
    int numImages,
    SchedulerKind scheduler,
    GuidanceScale guidance,
    ControlInput control) {

  public RenderItem {
    if (jobId == null || jobId.isEmpty()) {
      throw new IllegalArgumentException("jobId must not be empty");
    }
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    if (seed < 0) {
      throw new IllegalArgumentException("seed must be >= 0, got " + seed);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "width and height must be >= 1, got " + width + "x" + height);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (numImages < 1) {
      throw new IllegalArgumentException("numImages must be >= 1, got " + numImages);
    }
    Objects.requireNonNull(renderSize, "renderSize");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(guidance, "guidance");
  }

  /** The seed of image {@code index}: {@code seed + index}, wrapping within [0, 2^63-1]. */
  public long seedOf(int index) {
    if (index < 0 || index >= numImages) {
      throw new IndexOutOfBoundsException("image index " + index + " of " + numImages);
    }
    return (seed + index) & Long.MAX_VALUE;
  }

  /** What this item must share with the others of its batch. */
  public BatchKey batchKey() {
    return new BatchKey(
        renderSize.width(),
        renderSize.height(),
        steps,
        scheduler,
        guidance.scale(),
        control == null ? null : control.scale());
  }
}
