package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a job's control image is; written in JSON in lower case. */
public enum ControlType {
  /** An edge map, used as the control image as is. */
  EDGES,
  /** A photo; the worker extracts HED edges from it first. */
  HED,
  /** A photo; the worker extracts Canny edges from it first. */
  CANNY;

  /** The JSON spelling. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the JSON spelling; throws {@link IllegalArgumentException} for anything else. */
  @JsonCreator
  public static ControlType fromWire(String wireName) {
    for (ControlType type : values()) {
      if (type.wireName().equals(wireName)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "control.type must be one of edges, hed, canny, got '" + wireName + "'");
  }
}
