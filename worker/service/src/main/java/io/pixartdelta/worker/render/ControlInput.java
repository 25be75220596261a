package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.control.RgbImage;
import java.util.Objects;

/**
 * A decoded control image for ControlNet rendering.
 *
 * @param image the control image as uploaded, decoded to RGB by the model library's {@code
 *     SafeImageDecoder} (any size; the renderer resizes it to the item's render size)
 * @param kind how it becomes an edge map (the job's control type, mapped by {@link ModelTypes})
 * @param scale conditioning scale (0..2), as the pipeline takes it
 */
public record ControlInput(RgbImage image, ControlMapKind kind, float scale) {
  public ControlInput {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(kind, "kind");
    if (!(scale >= 0 && scale <= 2)) {
      throw new IllegalArgumentException("scale must be in [0, 2], got " + scale);
    }
  }
}
