package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** File format of stored images; written in JSON in lower case. */
public enum ImageFormat {
  /** Lossless PNG (the default). */
  PNG("png", "image/png", "png"),
  /** JPEG with {@link OutputSpec#jpegQuality()}. */
  JPEG("jpeg", "image/jpeg", "jpg");

  private final String wireName;
  private final String contentType;
  private final String extension;

  ImageFormat(String wireName, String contentType, String extension) {
    this.wireName = wireName;
    this.contentType = contentType;
    this.extension = extension;
  }

  /** The JSON spelling. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** The MIME type written to S3 and reported in {@link ImageResult#contentType()}. */
  public String contentType() {
    return contentType;
  }

  /** The object key's file extension, without the dot. */
  public String extension() {
    return extension;
  }

  /** Parses the JSON spelling; throws {@link IllegalArgumentException} for anything else. */
  @JsonCreator
  public static ImageFormat fromWire(String wireName) {
    for (ImageFormat format : values()) {
      if (format.wireName.equals(wireName)) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "output.format must be one of png, jpeg, got '" + wireName + "'");
  }

  /** The format whose {@link #contentType()} is {@code contentType}. */
  public static ImageFormat fromContentType(String contentType) {
    for (ImageFormat format : values()) {
      if (format.contentType.equals(contentType)) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "contentType must be one of image/png, image/jpeg, got '" + contentType + "'");
  }
}
