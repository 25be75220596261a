package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Denoising sampler requested by a job; written in JSON as {@code lcm} or {@code dpm-solver}. */
public enum Sampler {
  /** Latent Consistency Model sampler: PixArt-δ's native 2–4 step sampler (the default). */
  LCM("lcm"),
  /** Multistep DPM-Solver++ (2M), the sampler the official ControlNet release was shown with. */
  DPM_SOLVER("dpm-solver");

  private final String wireName;

  Sampler(String wireName) {
    this.wireName = wireName;
  }

  /** The JSON spelling. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** Parses the JSON spelling; throws {@link IllegalArgumentException} for anything else. */
  @JsonCreator
  public static Sampler fromWire(String wireName) {
    for (Sampler sampler : values()) {
      if (sampler.wireName.equals(wireName)) {
        return sampler;
      }
    }
    throw new IllegalArgumentException(
        "sampler must be one of lcm, dpm-solver, got '" + wireName + "'");
  }
}
