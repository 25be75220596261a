package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Why a job FAILED or EXPIRED.
 *
 * @param code one of {@link ErrorCodes#ALL}
 * @param message human-readable detail, at most {@value #MAX_MESSAGE_LENGTH} code points; not for
 *     matching
 * @param retryable true if resubmitting the same job unchanged may succeed (a transient
 *     infrastructure failure); false if the job itself must change
 */
public record ErrorInfo(String code, String message, boolean retryable) {
  /** Upper bound of {@link #message()}'s length in code points. */
  public static final int MAX_MESSAGE_LENGTH = 4096;

  /** Validates every field against the render-status schema's rules. */
  public ErrorInfo {
    Checks.required("error.code", code);
    if (!ErrorCodes.isKnown(code)) {
      throw new IllegalArgumentException(
          "error.code must be one of " + ErrorCodes.ALL + ", got '" + code + "'");
    }
    Checks.required("error.message", message);
    Checks.maxLength("error.message", message, MAX_MESSAGE_LENGTH);
  }

  /** An error the job itself caused; the message is shortened to fit if needed. */
  public static ErrorInfo permanent(String code, String message) {
    return new ErrorInfo(code, fit(message), false);
  }

  /** A transient failure worth resubmitting; the message is shortened to fit if needed. */
  public static ErrorInfo transientFailure(String code, String message) {
    return new ErrorInfo(code, fit(message), true);
  }

  private static String fit(String message) {
    if (message == null) {
      return "";
    }
    if (message.codePointCount(0, message.length()) <= MAX_MESSAGE_LENGTH) {
      return message;
    }
    int end = message.offsetByCodePoints(0, MAX_MESSAGE_LENGTH - 3);
    return message.substring(0, end) + "...";
  }

  /** Jackson's entry point: a missing {@code retryable} is an error, not {@code false}. */
  @JsonCreator
  static ErrorInfo fromJson(
      @JsonProperty("code") String code,
      @JsonProperty("message") String message,
      @JsonProperty("retryable") Boolean retryable) {
    return new ErrorInfo(code, message, Checks.required("error.retryable", retryable));
  }
}
