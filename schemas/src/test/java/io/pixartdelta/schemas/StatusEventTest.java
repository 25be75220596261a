package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link StatusEvent}: per-state factories, transitions and per-state rules. */
class StatusEventTest {
  private static final Instant T0 = Instant.parse("2026-01-15T09:30:00Z");
  private static final RenderJob JOB =
      RenderJob.builder("job-7", "a fox")
          .deadline(T0.plusSeconds(600))
          .metadata(Map.of("campaign", "winter"))
          .submittedAt(T0)
          .build();
  private static final String WORKER = "worker-0";
  private static final ImageResult RESULT =
      new ImageResult(
          0, "s3://renders/out/job-7/0.png", 1024, 1024, 42L, "0".repeat(64), "image/png", 1234L);

  @Test
  void factoriesCoverEveryStateAndEmitSchemaValidEvents() {
    StatusEvent accepted = Emitted.assertValid(StatusEvent.accepted(JOB, 1, WORKER, T0));
    StatusEvent started =
        Emitted.assertValid(StatusEvent.started(JOB, 1, WORKER, T0.plusSeconds(1), "b-1", 8));
    StatusEvent succeeded =
        Emitted.assertValid(
            StatusEvent.succeeded(
                JOB,
                1,
                WORKER,
                T0.plusSeconds(1),
                T0.plusSeconds(5),
                "b-1",
                8,
                StageTimings.NONE.withQueueWaitMs(1000).withModelMs(10, 3000, 500),
                List.of(RESULT)));
    StatusEvent failed =
        Emitted.assertValid(
            StatusEvent.failed(
                JOB,
                2,
                WORKER,
                T0.plusSeconds(3),
                ErrorInfo.transientFailure(ErrorCodes.UPLOAD_FAILED, "S3 unavailable")));
    StatusEvent expired = Emitted.assertValid(StatusEvent.expired(JOB, 1, WORKER, T0));
    StatusEvent rejected =
        Emitted.assertValid(
            StatusEvent.rejected(
                "unreadable-3-77",
                1,
                WORKER,
                T0,
                ErrorInfo.permanent(ErrorCodes.INVALID_JSON, "not JSON")));

    assertThat(
            Stream.of(accepted, started, succeeded, failed, expired, rejected)
                .map(StatusEvent::state))
        .containsExactly(
            JobState.ACCEPTED,
            JobState.STARTED,
            JobState.SUCCEEDED,
            JobState.FAILED,
            JobState.EXPIRED,
            JobState.FAILED);
    for (StatusEvent e : List.of(accepted, started, succeeded, failed, expired)) {
      assertThat(e.jobId()).isEqualTo("job-7");
      assertThat(e.submittedAt()).isEqualTo(T0);
      assertThat(e.metadata()).isEqualTo(JOB.metadata());
    }
    assertThat(started.startedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(succeeded.finishedAt()).isEqualTo(succeeded.eventTime());
    assertThat(succeeded.results()).containsExactly(RESULT);
    assertThat(failed.error().retryable()).isTrue();
    assertThat(failed.attempt()).isEqualTo(2);
    assertThat(expired.error().code()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
    assertThat(rejected.submittedAt()).isNull();
    assertThat(rejected.metadata()).isEmpty();
  }

  @Test
  void transitionsCarryIdentityBatchAndTimingsForward() {
    StatusEvent accepted = StatusEvent.accepted(JOB, 3, WORKER, T0);
    StatusEvent started = Emitted.assertValid(accepted.toStarted(T0.plusSeconds(2), "batch-9", 4));
    StatusEvent succeeded =
        Emitted.assertValid(
            started.toSucceeded(
                T0.plusSeconds(6), StageTimings.NONE.withUploadMs(30), List.of(RESULT)));
    StatusEvent failed =
        Emitted.assertValid(
            started.toFailed(
                T0.plusSeconds(4), ErrorInfo.permanent(ErrorCodes.RENDER_FAILED, "NaN latents")));
    StatusEvent expired = Emitted.assertValid(accepted.toExpired(T0.plusSeconds(700)));

    for (StatusEvent e : List.of(started, succeeded, failed, expired)) {
      assertThat(e.jobId()).isEqualTo(JOB.jobId());
      assertThat(e.attempt()).isEqualTo(3);
      assertThat(e.workerId()).isEqualTo(WORKER);
      assertThat(e.submittedAt()).isEqualTo(T0);
      assertThat(e.metadata()).isEqualTo(JOB.metadata());
      assertThat(e.eventTime()).isAfter(T0);
    }
    assertThat(succeeded.startedAt()).isEqualTo(T0.plusSeconds(2));
    assertThat(succeeded.batchId()).isEqualTo("batch-9");
    assertThat(succeeded.batchSize()).isEqualTo(4);
    assertThat(succeeded.finishedAt()).isEqualTo(T0.plusSeconds(6));
    assertThat(failed.startedAt()).isEqualTo(T0.plusSeconds(2));
    assertThat(expired.startedAt()).isNull();
    assertThat(expired.error().code()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
  }

  @Test
  void successNeedsAStartedEvent() {
    StatusEvent accepted = StatusEvent.accepted(JOB, 1, WORKER, T0);

    assertThatThrownBy(() -> accepted.toSucceeded(T0, null, List.of(RESULT)))
        .hasMessage("startedAt is required for state SUCCEEDED");
  }

  static Stream<Arguments> stateRuleViolations() {
    return Stream.of(
        Arguments.of(
            "results must not be empty for state SUCCEEDED",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.SUCCEEDED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .startedAt(T0)
                        .finishedAt(T0)
                        .build()),
        Arguments.of(
            "error must be absent for state SUCCEEDED",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.SUCCEEDED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .startedAt(T0)
                        .finishedAt(T0)
                        .results(List.of(RESULT))
                        .error(ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, "x"))
                        .build()),
        Arguments.of(
            "results must be empty for state FAILED",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.FAILED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .finishedAt(T0)
                        .results(List.of(RESULT))
                        .error(ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, "x"))
                        .build()),
        Arguments.of(
            "error is required for state FAILED",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.FAILED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .finishedAt(T0)
                        .build()),
        Arguments.of(
            "finishedAt is required for state EXPIRED",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.EXPIRED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .error(ErrorInfo.permanent(ErrorCodes.DEADLINE_EXCEEDED, "late"))
                        .build()),
        Arguments.of(
            "finishedAt must be absent for state ACCEPTED",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.ACCEPTED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .finishedAt(T0)
                        .build()),
        Arguments.of(
            "error must be absent for state STARTED",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.STARTED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .startedAt(T0)
                        .error(ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, "x"))
                        .build()),
        Arguments.of(
            "startedAt is required for state STARTED",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.STARTED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .build()),
        Arguments.of(
            "attempt must be in [1, ", (Runnable) () -> StatusEvent.accepted(JOB, 0, WORKER, T0)),
        Arguments.of(
            "workerId must be", (Runnable) () -> StatusEvent.accepted(JOB, 1, "worker 0", T0)),
        Arguments.of(
            "eventTime is required", (Runnable) () -> StatusEvent.accepted(JOB, 1, WORKER, null)),
        Arguments.of(
            "batchSize must be in [1, 1024]",
            (Runnable) () -> StatusEvent.started(JOB, 1, WORKER, T0, "b", 1025)),
        Arguments.of(
            "results must have at most 4 entries",
            (Runnable)
                () ->
                    StatusEvent.builder(JOB, JobState.SUCCEEDED)
                        .workerId(WORKER)
                        .eventTime(T0)
                        .startedAt(T0)
                        .finishedAt(T0)
                        .results(List.of(RESULT, RESULT, RESULT, RESULT, RESULT))
                        .build()),
        Arguments.of(
            "jobId must be",
            (Runnable)
                () ->
                    StatusEvent.rejected(
                        "bad id",
                        1,
                        WORKER,
                        T0,
                        ErrorInfo.permanent(ErrorCodes.INVALID_JSON, "x"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stateRuleViolations")
  void stateRulesAreEnforcedNamingTheField(String message, Runnable build) {
    assertThatThrownBy(build::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @ParameterizedTest
  @EnumSource(JobState.class)
  void onlySucceededFailedExpiredAndCancelledAreTerminal(JobState state) {
    boolean terminal =
        state == JobState.SUCCEEDED
            || state == JobState.FAILED
            || state == JobState.EXPIRED
            || state == JobState.CANCELLED;
    assertThat(state.isTerminal()).isEqualTo(terminal);
  }

  @Test
  void aCancelledEventCarriesTheCancelledCodeAndTheReason() {
    StatusEvent cancelled = StatusEvent.cancelled(JOB, 2, WORKER, T0, "superseded");
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.finishedAt()).isEqualTo(T0);
    assertThat(cancelled.attempt()).isEqualTo(2);
    assertThat(cancelled.error().code()).isEqualTo(ErrorCodes.CANCELLED);
    assertThat(cancelled.error().retryable()).isFalse();
    assertThat(cancelled.error().message()).endsWith(": superseded");
    assertThat(cancelled.results()).isEmpty();
    assertThat(JsonCodec.shared().decodeStatus(JsonCodec.shared().encode(cancelled)))
        .isEqualTo(cancelled);
    assertThatThrownBy(
            () ->
                StatusEvent.builder(JOB, JobState.CANCELLED)
                    .attempt(1)
                    .workerId(WORKER)
                    .eventTime(T0)
                    .finishedAt(T0)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("error is required for state CANCELLED");
  }

  @Test
  void imageResultAndErrorInfoValidateTheirFields() {
    assertThatThrownBy(
            () -> new ImageResult(0, "s3://b/k", 1, 1, 0, "0".repeat(64), "image/png", 1))
        .hasMessageStartingWith("results.uri");
    assertThatThrownBy(
            () -> new ImageResult(4, "s3://bucket/k", 1, 1, 0, "0".repeat(64), "image/png", 1))
        .hasMessageStartingWith("results.index");
    assertThatThrownBy(
            () -> new ImageResult(0, "s3://bucket/k", 1, 1, 0, "0".repeat(64), "image/gif", 1))
        .hasMessageStartingWith("contentType");
    assertThatThrownBy(() -> new ErrorInfo("nope", "x", false))
        .hasMessageStartingWith("error.code");
    assertThatThrownBy(() -> new ErrorInfo(ErrorCodes.INTERNAL_ERROR, "m".repeat(4097), false))
        .hasMessageStartingWith("error.message");
    assertThatThrownBy(() -> new StageTimings(null, -1L, null, null, null, null))
        .hasMessageStartingWith("timings.textEncodeMs");
  }

  @Test
  void errorInfoFactoriesShortenLongMessagesToFit() {
    String huge = "\uD83D\uDE00".repeat(10_000);
    ErrorInfo error = ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, huge);

    assertThat(error.message().codePointCount(0, error.message().length()))
        .isEqualTo(ErrorInfo.MAX_MESSAGE_LENGTH);
    assertThat(error.message()).endsWith("...");
    assertThat(error.retryable()).isFalse();
    assertThat(ErrorInfo.permanent(ErrorCodes.INTERNAL_ERROR, null).message()).isEmpty();
    Emitted.assertValid(StatusEvent.failed(JOB, 1, WORKER, T0, error));
  }
}
