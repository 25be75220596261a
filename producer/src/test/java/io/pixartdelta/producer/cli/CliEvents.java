package io.pixartdelta.producer.cli;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Instant;

/** Status events for CLI unit tests. */
final class CliEvents {
  private CliEvents() {}

  static StatusEvent failed(String jobId) {
    Instant t = Instant.parse("2026-03-01T12:00:00Z");
    return StatusEvent.builder(jobId, JobState.FAILED)
        .workerId("w1")
        .eventTime(t)
        .finishedAt(t)
        .error(ErrorInfo.permanent(ErrorCodes.RENDER_FAILED, "boom"))
        .build();
  }
}
