package io.pixartdelta.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import org.junit.jupiter.api.Test;

class JobResultTest {
  @Test
  void succeededResultPassesOrThrow() {
    JobResult r = new JobResult(Events.succeeded("ok", 1));
    assertThat(r.orThrow()).isSameAs(r);
    assertThat(r.errorCode()).isNull();
    assertThat(r.results()).hasSize(1);
  }

  @Test
  void failedResultThrowsWithItsCode() {
    JobResult r = new JobResult(Events.failed("bad", 1, ErrorCodes.CONTROL_IMAGE_NOT_FOUND));
    assertThat(r.results()).isEmpty();
    assertThatThrownBy(r::orThrow)
        .isInstanceOfSatisfying(
            RenderFailedException.class,
            e -> {
              assertThat(e.jobId()).isEqualTo("bad");
              assertThat(e.state()).isEqualTo(JobState.FAILED);
              assertThat(e.errorCode()).isEqualTo(ErrorCodes.CONTROL_IMAGE_NOT_FOUND);
              assertThat(e.retryable()).isFalse();
            });
  }

  @Test
  void expiredResultThrowsDeadlineExceeded() {
    JobResult r = new JobResult(Events.expired("late"));
    assertThatThrownBy(r::orThrow)
        .isInstanceOfSatisfying(
            RenderFailedException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED));
  }

  @Test
  void nonTerminalEventIsRejected() {
    assertThatThrownBy(() -> new JobResult(Events.started("mid", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("terminal");
  }
}
