package io.pixartdelta.producer;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Instant;
import java.util.List;

/** Valid status events for tests. */
final class Events {
  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  static final String SHA = "0".repeat(64);

  private Events() {}

  static StatusEvent accepted(String jobId, int attempt) {
    return StatusEvent.builder(jobId, JobState.ACCEPTED)
        .attempt(attempt)
        .workerId("w1")
        .eventTime(T0)
        .build();
  }

  static StatusEvent started(String jobId, int attempt) {
    return StatusEvent.builder(jobId, JobState.STARTED)
        .attempt(attempt)
        .workerId("w1")
        .eventTime(T0.plusSeconds(1))
        .startedAt(T0.plusSeconds(1))
        .batch("b1", 2)
        .build();
  }

  static StatusEvent succeeded(String jobId, int attempt) {
    return StatusEvent.builder(jobId, JobState.SUCCEEDED)
        .attempt(attempt)
        .workerId("w1")
        .eventTime(T0.plusSeconds(2))
        .startedAt(T0.plusSeconds(1))
        .finishedAt(T0.plusSeconds(2))
        .results(
            List.of(
                new ImageResult(
                    0, "s3://renders/out/" + jobId + "/0.png", 256, 256, 7, SHA, "image/png", 10)))
        .build();
  }

  static StatusEvent failed(String jobId, int attempt, String code) {
    return StatusEvent.builder(jobId, JobState.FAILED)
        .attempt(attempt)
        .workerId("w1")
        .eventTime(T0.plusSeconds(2))
        .finishedAt(T0.plusSeconds(2))
        .error(new ErrorInfo(code, "it broke", false))
        .build();
  }

  static StatusEvent expired(String jobId) {
    return StatusEvent.builder(jobId, JobState.EXPIRED)
        .attempt(1)
        .workerId("w1")
        .eventTime(T0.plusSeconds(2))
        .finishedAt(T0.plusSeconds(2))
        .error(ErrorInfo.permanent(ErrorCodes.DEADLINE_EXCEEDED, "too late"))
        .build();
  }
}
