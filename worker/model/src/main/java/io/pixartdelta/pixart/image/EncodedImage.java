package io.pixartdelta.pixart.image;

/**
 * An encoded image file.
 *
 * @param bytes the file contents (not copied: treat as read-only)
 * @param format the file format
 */
public record EncodedImage(byte[] bytes, ImageCodec format) {
  public EncodedImage {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("bytes must not be empty");
    }
    if (format == null) {
      throw new IllegalArgumentException("format is required");
    }
  }

  /** MIME type of {@link #bytes}. */
  public String contentType() {
    return format.contentType();
  }
}
