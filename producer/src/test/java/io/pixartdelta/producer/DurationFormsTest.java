package io.pixartdelta.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.common.Durations;
import io.pixartdelta.producer.cli.DurationConverter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI's duration flags read back what {@link Durations} writes. */
class DurationFormsTest {
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
