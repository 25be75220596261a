package io.pixartdelta.pixart.control;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a control image becomes the edge map the ControlNet was trained on: the model library's side
 * of a job's control type.
 */
public enum ControlMapKind {
  /** The image already is an edge map (white edges on black); its luminance is used. */
  EDGES("edges"),
  /** A photo, turned into soft edges by the HED network (the official preprocessing). */
  HED("hed"),
  /** A photo, turned into binary edges by {@link CannyEdges} (no weights needed; unofficial). */
  CANNY("canny");

  private final String wire;

  ControlMapKind(String wire) {
    this.wire = wire;
  }

  /** The value of {@code control.type} in a job. */
  public String wire() {
    return wire;
  }

  /**
   * The type named {@code value} in a job.
   *
   * @throws IllegalArgumentException naming the accepted values if there is none
   */
  public static ControlMapKind fromWire(String value) {
    for (ControlMapKind t : values()) {
      if (t.wire.equals(value)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown control type "
            + value
            + "; expected one of "
            + Arrays.stream(values()).map(ControlMapKind::wire).collect(Collectors.joining(", ")));
  }
}
