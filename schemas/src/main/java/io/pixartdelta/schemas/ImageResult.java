package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One stored image of a SUCCEEDED job.
 *
 * @param index image index within the job, in [0, numImages - 1]
 * @param uri {@code s3://bucket/key} of the stored object
 * @param width stored width in pixels
 * @param height stored height in pixels
 * @param seed seed actually used for this image
 * @param sha256 lowercase hex SHA-256 of the stored bytes
 * @param contentType {@code image/png} or {@code image/jpeg}
 * @param bytes size of the stored object
 */
public record ImageResult(
    int index,
    String uri,
    int width,
    int height,
    long seed,
    String sha256,
    String contentType,
    long bytes) {

  /** Largest width or height a result may report. */
  public static final int MAX_SIDE = 16384;

  /** Validates every field against the render-status schema's rules. */
  public ImageResult {
    Checks.range("results.index", index, 0, RenderJob.MAX_IMAGES - 1);
    Checks.required("results.uri", uri);
    Checks.matches("results.uri", uri, Checks.S3_URI, "an s3://bucket/key URI");
    Checks.range("results.width", width, 1, MAX_SIDE);
    Checks.range("results.height", height, 1, MAX_SIDE);
    Checks.range("results.seed", seed, 0, Long.MAX_VALUE);
    Checks.required("results.sha256", sha256);
    Checks.matches("results.sha256", sha256, Checks.SHA256, "64 lowercase hex digits");
    Checks.required("results.contentType", contentType);
    ImageFormat.fromContentType(contentType);
    Checks.range("results.bytes", bytes, 1, Long.MAX_VALUE);
  }

  /** Jackson's entry point: missing numbers are errors, not zeros. */
  @JsonCreator
  static ImageResult fromJson(
      @JsonProperty("index") Integer index,
      @JsonProperty("uri") String uri,
      @JsonProperty("width") Integer width,
      @JsonProperty("height") Integer height,
      @JsonProperty("seed") Long seed,
      @JsonProperty("sha256") String sha256,
      @JsonProperty("contentType") String contentType,
      @JsonProperty("bytes") Long bytes) {
    return new ImageResult(
        Checks.required("results.index", index),
        uri,
        Checks.required("results.width", width),
        Checks.required("results.height", height),
        Checks.required("results.seed", seed),
        sha256,
        contentType,
        Checks.required("results.bytes", bytes));
  }
}
