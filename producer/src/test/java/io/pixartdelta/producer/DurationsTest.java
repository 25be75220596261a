package io.pixartdelta.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.producer.cli.DurationConverter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void durationsPrintTheWayTheFlagsTakeThem() {
    assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(Durations.format(Duration.ofDays(1))).isEqualTo("1d");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
  }

  @Test
  void everyPrintedFormParsesBackToTheSameDuration() {
    for (Duration d :
        List.of(
            Duration.ofSeconds(30),
            Duration.ofSeconds(90),
            Duration.ofMillis(1500),
            Duration.ofDays(3),
            Duration.ZERO,
            Duration.ofNanos(1500))) {
      assertThat(DurationConverter.parse(Durations.format(d))).isEqualTo(d);
    }
  }

  @Test
  void timeoutMessagesUseTheShortForm() {
    assertThat(new JobTimeoutException("j", Duration.ofMinutes(10), null))
        .hasMessage("job j did not finish within 10m (last state: none seen)");
  }
}
