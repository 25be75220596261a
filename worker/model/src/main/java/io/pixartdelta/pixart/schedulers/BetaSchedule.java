package io.pixartdelta.pixart.schedulers;

/** How the training noise levels β₀..β_{T−1} are spaced (diffusers {@code beta_schedule}). */
public enum BetaSchedule {
  /** β linear from {@code beta_start} to {@code beta_end}; what PixArt-LCM was trained with. */
  LINEAR("linear"),
  /** √β linear, then squared (Stable Diffusion's schedule; diffusers' LCM default). */
  SCALED_LINEAR("scaled_linear");

  private final String configName;

  BetaSchedule(String configName) {
    this.configName = configName;
  }

  /** The value of {@code beta_schedule} in a diffusers scheduler config. */
  public String configName() {
    return configName;
  }

  /**
   * The schedule named {@code name} in a diffusers config.
   *
   * @throws IllegalArgumentException for any other schedule, e.g. {@code squaredcos_cap_v2}
   */
  public static BetaSchedule fromConfigName(String name) {
    for (BetaSchedule s : values()) {
      if (s.configName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "beta_schedule '" + name + "' is not supported (use linear or scaled_linear)");
  }
}
