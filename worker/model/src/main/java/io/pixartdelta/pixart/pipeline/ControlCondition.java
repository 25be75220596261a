package io.pixartdelta.pixart.pipeline;

import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.control.PreparedControlImage;

/**
 * A control map for the ControlNet-Transformer.
 *
 * @param image the control image, already resized and cropped to its render bin
 * @param type how it becomes an edge map: as is ({@code edges}), HED or Canny
 * @param scale conditioning scale on the injected residuals (1 = the official model, 0 = none)
 */
public record ControlCondition(PreparedControlImage image, ControlMapKind type, float scale) {
  public ControlCondition {
    if (image == null || type == null) {
      throw new IllegalArgumentException("image and type are required");
    }
    if (!(scale >= 0 && scale <= 2)) {
      throw new IllegalArgumentException("control scale must be in 0..2, got " + scale);
    }
  }
}
