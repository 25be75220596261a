package io.pixartdelta.producer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What people read: counts in the right number, times without nanoseconds. */
class PlainOutputTest {
  @Test
  void summaryCountsAgreeInNumber() {
    Tally one = new Tally();
    one.add(new io.pixartdelta.producer.JobResult(CliEvents.failed("a")));
    assertThat(Lines.summary(1, one))
        .startsWith("summary: 1 job, 0 succeeded, 1 failed, 0 expired, 0 timed out, 0 errors");
    one.addError();
    assertThat(Lines.summary(2, one)).startsWith("summary: 2 jobs,").contains("1 error ");
  }

  @Test
  void eventTimesPrintToTheMillisecond() {
    StatusEvent event =
        StatusEvent.builder("j1", JobState.STARTED)
            .workerId("w1")
            .eventTime(Instant.parse("2026-03-01T12:00:00.123456789Z"))
            .startedAt(Instant.parse("2026-03-01T12:00:00Z"))
            .build();
    assertThat(Lines.describe(event)).containsExactly("2026-03-01T12:00:00.123Z j1 STARTED");
  }
}
