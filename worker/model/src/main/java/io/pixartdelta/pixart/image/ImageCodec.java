package io.pixartdelta.pixart.image;

/** The file formats {@link ImageEncoder} writes. */
public enum ImageCodec {
  /** Lossless; the default for renders. */
  PNG("image/png", "png"),
  /** Lossy, much smaller and faster to encode. */
  JPEG("image/jpeg", "jpg");

  private final String contentType;
  private final String extension;

  ImageCodec(String contentType, String extension) {
    this.contentType = contentType;
    this.extension = extension;
  }

  /** MIME type for HTTP/S3 {@code Content-Type}. */
  public String contentType() {
    return contentType;
  }

  /** File name extension without the dot. */
  public String extension() {
    return extension;
  }
}
