package io.pixartdelta.worker.render;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * The result of one {@link RenderItem}: images or an error.
 *
 * @param images the images in seed order; empty when {@code error} is set
 * @param timings stage times of the batch
 * @param error why the item failed, or null on success
 */
public record RenderOutcome(List<BufferedImage> images, StageMillis timings, JobError error) {
  public RenderOutcome {
    images = List.copyOf(Objects.requireNonNull(images, "images"));
    Objects.requireNonNull(timings, "timings");
    if (error == null && images.isEmpty()) {
      throw new IllegalArgumentException("a successful outcome needs at least one image");
    }
    if (error != null && !images.isEmpty()) {
      throw new IllegalArgumentException("a failed outcome carries no images");
    }
  }

  /** A success. */
  public static RenderOutcome ok(List<BufferedImage> images, StageMillis timings) {
    return new RenderOutcome(images, timings, null);
  }

  /** A failure of this item alone. */
  public static RenderOutcome failed(JobError error, StageMillis timings) {
    return new RenderOutcome(List.of(), timings, Objects.requireNonNull(error, "error"));
  }

  /** True on success. */
  public boolean succeeded() {
    return error == null;
  }
}
