package io.pixartdelta.pixart.control;

/**
 * The control data of a job cannot be used: the bytes are not an image, the image is too large, or
 * the requested control type is not available on this worker. The job fails with {@link #code()};
 * retrying it cannot help, and the worker itself is fine.
 */
public final class ControlImageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the control data was refused; {@link #wire()} is the stable code put in job statuses. */
  public enum Code {
    /** Not a decodable image: empty, truncated, corrupt, zero-sized or of an unknown format. */
    INVALID("control-image-invalid"),
    /** More pixels (read from the header, before decoding) or more bytes than the limits allow. */
    TOO_LARGE("control-image-too-large"),
    /** The control type needs something this worker was started without (e.g. HED weights). */
    TYPE_UNAVAILABLE("control-type-unavailable");

    private final String wire;

    Code(String wire) {
      this.wire = wire;
    }

    /** The stable code string. */
    public String wire() {
      return wire;
    }
  }

  private final Code code;

  public ControlImageException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public ControlImageException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
