package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Base64;

/**
 * Control map of a job for the PixArt-δ ControlNet-Transformer.
 *
 * @param image {@code s3://bucket/key} (key: printable ASCII without spaces) or an inline {@code
 *     data:image/png;base64,...} URI of at most {@link #MAX_IMAGE_LENGTH} characters; the worker
 *     enforces its own, smaller limit on the decoded bytes
 * @param type what the image is (an edge map, or a photo to extract edges from)
 * @param scale conditioning scale in [0, 2], default {@value #DEFAULT_SCALE}; 0 reproduces the base
 *     model, larger values follow the control map more strictly
 */
public record ControlSpec(String image, ControlType type, double scale) {
  /** Upper bound of {@link #image()}'s length in characters. */
  public static final int MAX_IMAGE_LENGTH = 2_000_000;

  /** Default conditioning scale. */
  public static final double DEFAULT_SCALE = 1.0;

  /** Validates every field against the render-job schema's rules. */
  public ControlSpec {
    Checks.required("control.image", image);
    Checks.maxLength("control.image", image, MAX_IMAGE_LENGTH);
    Checks.matches(
        "control.image",
        image,
        Checks.CONTROL_IMAGE,
        "an s3://bucket/key URI or a data:image/png;base64 URI");
    Checks.required("control.type", type);
    Checks.range("control.scale", scale, 0.0, 2.0);
  }

  /** A control spec with the default scale. */
  public static ControlSpec of(String image, ControlType type) {
    return new ControlSpec(image, type, DEFAULT_SCALE);
  }

  /** An inline control spec: {@code png} encoded as a {@code data:image/png;base64} URI. */
  public static ControlSpec inlinePng(byte[] png, ControlType type, double scale) {
    return new ControlSpec(
        "data:image/png;base64," + Base64.getEncoder().encodeToString(png), type, scale);
  }

  /**
   * Whether {@link #image()} is an {@code s3://} reference (otherwise it is an inline data URI).
   */
  @JsonIgnore
  public boolean isS3Reference() {
    return image.startsWith("s3://");
  }

  /** A copy with another scale. */
  public ControlSpec withScale(double newScale) {
    return new ControlSpec(image, type, newScale);
  }

  /** Shortens inline images so that logging a job does not print megabytes of base64. */
  @Override
  public String toString() {
    String shown =
        image.length() <= 80 ? image : Checks.abbreviate(image) + " (" + image.length() + " chars)";
    return "ControlSpec[image=" + shown + ", type=" + type + ", scale=" + scale + "]";
  }

  @JsonCreator
  static ControlSpec fromJson(
      @JsonProperty("image") String image,
      @JsonProperty("type") ControlType type,
      @JsonProperty("scale") Double scale) {
    return new ControlSpec(image, type, scale == null ? DEFAULT_SCALE : scale);
  }
}
