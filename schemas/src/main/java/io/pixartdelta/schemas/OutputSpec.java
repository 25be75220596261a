package io.pixartdelta.schemas;

/**
 * Where and how a job's images are stored: under {@code s3://{bucket}/{prefix}/{jobId}/}.
 *
 * <p>The worker checks bucket and prefix against its allow-list and fails the job with {@link
 * ErrorCodes#OUTPUT_NOT_ALLOWED} otherwise.
 *
 * @param bucket S3 bucket name, or null for the worker's default bucket
 * @param prefix key prefix of {@code /}-separated segments of {@code [A-Za-z0-9_-]} with single
 *     dots inside segments (no {@code ..}, no leading, trailing or double {@code /}), at most
 *     {@value #MAX_PREFIX_LENGTH} characters; null for the worker's default prefix
 * @param format file format, default PNG
 * @param jpegQuality JPEG quality in [1, 100]; defaults to {@value #DEFAULT_JPEG_QUALITY} for JPEG
 *     when null, ignored (and may stay null) for PNG
 */
public record OutputSpec(String bucket, String prefix, ImageFormat format, Integer jpegQuality) {
  /** Upper bound of {@link #prefix()}'s length. */
  public static final int MAX_PREFIX_LENGTH = 256;

  /** JPEG quality used when a JPEG output gives none. */
  public static final int DEFAULT_JPEG_QUALITY = 90;

  /** The worker's default bucket and prefix, PNG. */
  public static final OutputSpec DEFAULT = new OutputSpec(null, null, ImageFormat.PNG, null);

  /** Validates every field against the render-job schema's rules and applies the defaults. */
  public OutputSpec {
    if (bucket != null) {
      Checks.matches(
          "output.bucket",
          bucket,
          Checks.BUCKET,
          "an S3 bucket name (3-63 characters of a-z, 0-9, '.', '-')");
    }
    if (prefix != null) {
      Checks.maxLength("output.prefix", prefix, MAX_PREFIX_LENGTH);
      Checks.matches(
          "output.prefix",
          prefix,
          Checks.PREFIX,
          "'/'-separated segments of [A-Za-z0-9_-] with single inner dots");
    }
    format = format == null ? ImageFormat.PNG : format;
    if (jpegQuality == null && format == ImageFormat.JPEG) {
      jpegQuality = DEFAULT_JPEG_QUALITY;
    }
    if (jpegQuality != null) {
      Checks.range("output.jpegQuality", jpegQuality, 1, 100);
    }
  }

  /** PNG output to {@code bucket}/{@code prefix} (either may be null for the worker's default). */
  public static OutputSpec png(String bucket, String prefix) {
    return new OutputSpec(bucket, prefix, ImageFormat.PNG, null);
  }

  /** JPEG output to {@code bucket}/{@code prefix} with the given quality. */
  public static OutputSpec jpeg(String bucket, String prefix, int quality) {
    return new OutputSpec(bucket, prefix, ImageFormat.JPEG, quality);
  }
}
