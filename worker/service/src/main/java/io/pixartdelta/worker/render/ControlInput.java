package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.control.RgbImage;
import java.util.Objects;

/**
 * A decoded control image for ControlNet rendering.
 *
 * @param image the control image as uploaded, decoded to RGB by the model library's {@code
 *     SafeImageDecoder} (any size; the renderer bins and resizes it)
 * @param type control type wire name, e.g. {@code hed}
 * @param scale conditioning scale (0..2)
 */
public record ControlInput(RgbImage image, String type, double scale) {
  public ControlInput {
    Objects.requireNonNull(image, "image");
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("type must not be blank");
    }
    if (!(scale >= 0 && scale <= 2)) {
      throw new IllegalArgumentException("scale must be in [0, 2], got " + scale);
    }
  }
}
