package io.pixartdelta.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Correlation, dedup, ordering, unknown jobs, timeouts and resubmission, without Kafka. */
class StatusTrackerTest {
  private static final Instant NOW = Events.T0;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final StatusTracker tracker = new StatusTracker(1000);

  private StatusTracker.Tracking track(String jobId, List<StatusEvent> seen) {
    return tracker.track(jobId, NOW.plus(TIMEOUT), TIMEOUT, seen::add);
  }

  private static List<JobState> states(List<StatusEvent> events) {
    return events.stream().map(StatusEvent::state).toList();
  }

  @Test
  void correlatesInterleavedEventsByJobId() {
    List<StatusEvent> seenA = new ArrayList<>();
    List<StatusEvent> seenB = new ArrayList<>();
    var a = track("a", seenA);
    var b = track("b", seenB);
    assertThat(a.started()).isTrue();
    assertThat(tracker.claimSend("a")).isTrue();
    assertThat(tracker.claimSend("b")).isTrue();

    tracker.accept(Events.accepted("a", 1));
    tracker.accept(Events.accepted("b", 1));
    tracker.accept(Events.started("b", 1));
    tracker.accept(Events.started("a", 1));
    tracker.accept(Events.failed("b", 1, ErrorCodes.RENDER_FAILED));
    assertThat(a.future()).isNotDone();
    tracker.accept(Events.succeeded("a", 1));

    assertThat(a.future().join().succeeded()).isTrue();
    assertThat(a.future().join().results())
        .singleElement()
        .satisfies(r -> assertThat(r.uri()).endsWith("/a/0.png"));
    assertThat(b.future().join().errorCode()).isEqualTo(ErrorCodes.RENDER_FAILED);
    assertThat(states(seenA))
        .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
    assertThat(states(seenB)).containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.FAILED);
    assertThat(tracker.pendingCount()).isZero();
  }

  @Test
  void duplicatesReachTheListenerOnce() {
    List<StatusEvent> seen = new ArrayList<>();
    var t = track("dup", seen);
    for (int i = 0; i < 3; i++) {
      tracker.accept(Events.accepted("dup", 1));
      tracker.accept(Events.started("dup", 1));
    }
    tracker.accept(Events.succeeded("dup", 1));
    tracker.accept(Events.succeeded("dup", 1));

    assertThat(states(seen))
        .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
    assertThat(t.future()).isCompleted();
  }

  @Test
  void staleEventsAfterNewerOnesAreDropped() {
    List<StatusEvent> seen = new ArrayList<>();
    var t = track("ooo", seen);
    tracker.accept(Events.started("ooo", 1));
    tracker.accept(Events.accepted("ooo", 1)); // late
    assertThat(states(seen)).containsExactly(JobState.STARTED);
    assertThat(t.future()).isNotDone();
  }

  @Test
  void terminalEventBeforeProgressCompletesAndLaterProgressIsIgnored() {
    List<StatusEvent> seen = new ArrayList<>();
    var t = track("early", seen);
    tracker.accept(Events.succeeded("early", 1));
    tracker.accept(Events.started("early", 1));
    tracker.accept(Events.accepted("early", 1));

    assertThat(t.future().join().succeeded()).isTrue();
    assertThat(states(seen)).containsExactly(JobState.SUCCEEDED);
  }

  @Test
  void newAttemptIsProgressButFirstTerminalWins() {
    List<StatusEvent> seen = new ArrayList<>();
    var t = track("retry", seen);
    tracker.accept(Events.accepted("retry", 1));
    tracker.accept(Events.started("retry", 1));
    tracker.accept(Events.accepted("retry", 2)); // redelivered after a worker crash
    tracker.accept(Events.failed("retry", 1, ErrorCodes.UPLOAD_FAILED)); // late terminal of 1
    tracker.accept(Events.succeeded("retry", 2));

    assertThat(states(seen))
        .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.ACCEPTED, JobState.FAILED);
    assertThat(seen.get(2).attempt()).isEqualTo(2);
    assertThat(t.future().join().errorCode()).isEqualTo(ErrorCodes.UPLOAD_FAILED);
  }

  @Test
  void unknownJobEventsAreToleratedAndRemembered() {
    tracker.accept(Events.started("stranger", 1));
    tracker.accept(Events.succeeded("stranger", 1));
    tracker.accept(Events.accepted("stranger", 1));
    assertThat(tracker.pendingCount()).isZero();
    assertThat(tracker.remembered("stranger").state()).isEqualTo(JobState.SUCCEEDED);

    // Submitting it afterwards completes at once from memory and sends nothing.
    List<StatusEvent> seen = new ArrayList<>();
    var t = track("stranger", seen);
    assertThat(t.started()).isFalse();
    assertThat(t.future().join().succeeded()).isTrue();
    assertThat(states(seen)).containsExactly(JobState.SUCCEEDED);
    assertThat(tracker.claimSend("stranger")).isFalse();
  }

  @Test
  void jobWithProgressButNoTerminalIsWaitedForNotResent() {
    tracker.accept(Events.started("running", 1));
    List<StatusEvent> seen = new ArrayList<>();
    var t = track("running", seen);
    assertThat(t.started()).isTrue();
    assertThat(tracker.claimSend("running")).isFalse();
    assertThat(states(seen)).containsExactly(JobState.STARTED);
    tracker.accept(Events.succeeded("running", 1));
    assertThat(t.future()).isCompleted();
  }

  @Test
  void jobSeenInJobsTopicIsNotResent() {
    tracker.markSubmitted("queued");
    var t = track("queued", new ArrayList<>());
    assertThat(tracker.claimSend("queued")).isFalse();
    tracker.accept(Events.succeeded("queued", 1));
    assertThat(t.future()).isCompleted();
  }

  @Test
  void resubmissionWhileInFlightReturnsTheSameFutureAndSendsOnce() {
    List<StatusEvent> first = new ArrayList<>();
    List<StatusEvent> second = new ArrayList<>();
    var t1 = track("same", first);
    assertThat(tracker.claimSend("same")).isTrue();
    tracker.accept(Events.accepted("same", 1));
    var t2 = track("same", second);

    assertThat(t2.future()).isSameAs(t1.future());
    assertThat(t2.started()).isFalse();
    assertThat(tracker.claimSend("same")).isFalse();
    assertThat(states(second)).containsExactly(JobState.ACCEPTED); // replay of the latest
    tracker.accept(Events.succeeded("same", 1));
    assertThat(states(first)).containsExactly(JobState.ACCEPTED, JobState.SUCCEEDED);
    assertThat(states(second)).containsExactly(JobState.ACCEPTED, JobState.SUCCEEDED);
  }

  @Test
  void resubmissionAfterCompletionCompletesFromMemory() {
    var t1 = track("done", new ArrayList<>());
    tracker.claimSend("done");
    tracker.accept(Events.expired("done"));
    var t2 = track("done", new ArrayList<>());
    assertThat(t2.started()).isFalse();
    assertThat(t2.future().join().state()).isEqualTo(JobState.EXPIRED);
    assertThat(t1.future().join().state()).isEqualTo(JobState.EXPIRED);
  }

  @Test
  void timeoutFiresAtTheDeadlineWithTheLastState() {
    var t = track("slow", new ArrayList<>());
    tracker.claimSend("slow");
    tracker.accept(Events.started("slow", 1));

    tracker.expireOverdue(NOW.plus(TIMEOUT).minusMillis(1));
    assertThat(t.future()).isNotDone();
    tracker.expireOverdue(NOW.plus(TIMEOUT));

    assertThatThrownBy(() -> t.future().get())
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            JobTimeoutException.class,
            e -> {
              assertThat(e.jobId()).isEqualTo("slow");
              assertThat(e.timeout()).isEqualTo(TIMEOUT);
              assertThat(e.lastState()).isEqualTo(JobState.STARTED);
            });
    // A late terminal event is remembered; resubmitting returns it without sending again.
    tracker.accept(Events.succeeded("slow", 1));
    var again = track("slow", new ArrayList<>());
    assertThat(again.future().join().succeeded()).isTrue();
  }

  @Test
  void resubmissionAfterTimeoutWithoutEventsWaitsAndDoesNotResend() {
    var t = track("silent", new ArrayList<>());
    assertThat(tracker.claimSend("silent")).isTrue();
    tracker.expireOverdue(NOW.plus(TIMEOUT));
    assertThat(t.future()).isCompletedExceptionally();

    var again = track("silent", new ArrayList<>());
    assertThat(again.started()).isTrue();
    assertThat(tracker.claimSend("silent")).isFalse();
  }

  @Test
  void joiningExtendsTheDeadline() {
    var t1 = tracker.track("ext", NOW.plusSeconds(1), Duration.ofSeconds(1), null);
    tracker.track("ext", NOW.plusSeconds(10), Duration.ofSeconds(10), null);
    tracker.expireOverdue(NOW.plusSeconds(5));
    assertThat(t1.future()).isNotDone();
    tracker.expireOverdue(NOW.plusSeconds(10));
    assertThat(t1.future()).isCompletedExceptionally();
  }

  @Test
  void failedSendForgetsTheJobSoItCanBeSentAgain() {
    var t = track("net", new ArrayList<>());
    assertThat(tracker.claimSend("net")).isTrue();
    tracker.sendFailed("net", new InfrastructureException("broker down"));
    assertThat(t.future()).isCompletedExceptionally();
    var again = track("net", new ArrayList<>());
    assertThat(tracker.claimSend("net")).isTrue();
    assertThat(again.future()).isNotSameAs(t.future());
  }

  @Test
  void untrackedClaimsFollowTheSameDuplicateRules() {
    assertThat(tracker.claimUntracked("fire")).isTrue();
    assertThat(tracker.claimUntracked("fire")).isFalse();
    tracker.unclaimUntracked("fire");
    assertThat(tracker.claimUntracked("fire")).isTrue();

    track("tracked", new ArrayList<>());
    assertThat(tracker.claimUntracked("tracked")).isFalse();
    tracker.accept(Events.accepted("foreign", 1));
    assertThat(tracker.claimUntracked("foreign")).isFalse();
  }

  @Test
  void listenerExceptionsDoNotBreakCorrelation() {
    CompletableFuture<JobResult> f =
        tracker
            .track(
                "boom",
                NOW.plus(TIMEOUT),
                TIMEOUT,
                e -> {
                  throw new IllegalStateException("listener bug");
                })
            .future();
    tracker.accept(Events.accepted("boom", 1));
    tracker.accept(Events.succeeded("boom", 1));
    assertThat(f.join().succeeded()).isTrue();
  }

  @Test
  void rememberedJobsAreBounded() {
    StatusTracker small = new StatusTracker(2);
    small.accept(Events.succeeded("j1", 1));
    small.accept(Events.succeeded("j2", 1));
    small.accept(Events.succeeded("j3", 1));
    assertThat(small.remembered("j1")).isNull();
    assertThat(small.remembered("j3")).isNotNull();
  }

  @Test
  void failAllCompletesEveryWait() {
    var a = track("x", new ArrayList<>());
    var b = track("y", new ArrayList<>());
    tracker.failAll(new InfrastructureException("gone"));
    assertThat(a.future()).isCompletedExceptionally();
    assertThat(b.future()).isCompletedExceptionally();
    assertThat(tracker.pendingCount()).isZero();
  }
}
