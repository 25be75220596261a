package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ImageFormat;
import java.util.Objects;

/**
 * Where and how one job's images are written, defaults applied.
 *
 * @param bucket target bucket (on the allow-list)
 * @param prefix key prefix, may be empty
 * @param format PNG or JPEG
 * @param jpegQuality JPEG quality 1..100 (ignored for PNG)
 */
public record OutputTarget(String bucket, String prefix, ImageFormat format, int jpegQuality) {
  public OutputTarget {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(format, "format");
    if (jpegQuality < 1 || jpegQuality > 100) {
      throw new IllegalArgumentException("jpegQuality must be 1..100, got " + jpegQuality);
    }
  }
}
