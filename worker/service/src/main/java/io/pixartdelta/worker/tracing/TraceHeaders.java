package io.pixartdelta.worker.tracing;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A record's W3C trace context (<a href="https://www.w3.org/TR/trace-context/">Trace Context</a>):
 * the {@code traceparent} and optional {@code tracestate} headers, kept as sent.
 *
 * @param traceparent the {@code traceparent} value
 * @param tracestate the {@code tracestate} value, or null
 */
public record TraceHeaders(String traceparent, String tracestate) {
  /** Header names, as in the W3C spec (lower case). */
  public static final String TRACEPARENT = "traceparent";

  public static final String TRACESTATE = "tracestate";

  /** Longest header value carried; the spec's values are far shorter, this bounds a bad client. */
  static final int MAX_LENGTH = 512;

  public TraceHeaders {
    if (traceparent == null || traceparent.isBlank() || traceparent.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("traceparent must be 1.." + MAX_LENGTH + " characters");
    }
    if (tracestate != null && tracestate.length() > MAX_LENGTH) {
      tracestate = null;
    }
  }

  /** The trace context of a record's headers; empty without a usable {@code traceparent}. */
  public static Optional<TraceHeaders> from(Headers headers) {
    String parent = text(headers.lastHeader(TRACEPARENT));
    if (parent == null || parent.isBlank() || parent.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    return Optional.of(new TraceHeaders(parent, text(headers.lastHeader(TRACESTATE))));
  }

  /** Adds the headers to {@code headers}. */
  public void addTo(Headers headers) {
    headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
    if (tracestate != null) {
      headers.add(TRACESTATE, tracestate.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The value of header {@code name}, or null. */
  String get(String name) {
    return switch (name) {
      case TRACEPARENT -> traceparent;
      case TRACESTATE -> tracestate;
      default -> null;
    };
  }

  private static String text(Header header) {
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}
