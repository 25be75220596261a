package io.pixartdelta.worker.app;

import java.time.Duration;

/** Validation of option values with messages that name the option and its variable. */
final class OptionChecks {
  private OptionChecks() {}

  static void requireText(OptionKey option, String value) {
    if (value == null || value.isBlank()) {
      throw new OptionsException(option.key() + " must not be empty");
    }
  }

  static void requireTopic(OptionKey option, String value) {
    if (value == null || !value.matches("[A-Za-z0-9._-]{1,249}")) {
      throw invalid(option, value, "a topic name of [A-Za-z0-9._-]");
    }
  }

  static void requireRange(OptionKey option, long value, long min, long max) {
    if (value < min || value > max) {
      throw invalid(option, Long.toString(value), min + ".." + max);
    }
  }

  static void requirePositive(OptionKey option, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw invalid(option, String.valueOf(value), "a positive duration");
    }
  }

  static OptionsException invalid(OptionKey option, String value, String expected) {
    return new OptionsException(
        option.key()
            + " (env "
            + option.envName()
            + ") must be "
            + expected
            + ", got '"
            + value
            + "'");
  }
}
