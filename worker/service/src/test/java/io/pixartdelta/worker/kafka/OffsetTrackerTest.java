package io.pixartdelta.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  private static final TopicPartition P0 = new TopicPartition("jobs", 0);
  private static final TopicPartition P1 = new TopicPartition("jobs", 1);

  private final OffsetTracker tracker = new OffsetTracker();

  @Test
  void nothingIsCommittableUntilTheFirstRecordCompletes() {
    OffsetTracker.Ticket t0 = tracker.track(P0, 0);
    tracker.track(P0, 1);
    assertThat(tracker.takeCommittable()).isEmpty();

    tracker.complete(t0);
    assertThat(tracker.takeCommittable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(1)));
  }

  @Test
  void aGapHoldsBackLaterCompletionsUntilItCloses() {
    OffsetTracker.Ticket t10 = tracker.track(P0, 10);
    OffsetTracker.Ticket t11 = tracker.track(P0, 11);
    OffsetTracker.Ticket t12 = tracker.track(P0, 12);

    tracker.complete(t12);
    tracker.complete(t11);
    assertThat(tracker.takeCommittable()).isEmpty();
    assertThat(tracker.inFlight(P0)).isEqualTo(3);

    tracker.complete(t10);
    assertThat(tracker.takeCommittable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(13)));
    assertThat(tracker.inFlight()).isZero();
  }

  @Test
  void offsetsNeedNotBeNumericallyContiguous() {
    // Compacted topics and transaction markers leave holes in the offset sequence.
    OffsetTracker.Ticket t5 = tracker.track(P0, 5);
    OffsetTracker.Ticket t9 = tracker.track(P0, 9);
    tracker.complete(t5);
    tracker.complete(t9);

    assertThat(tracker.takeCommittable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(10)));
  }

  @Test
  void partitionsAreIndependent() {
    OffsetTracker.Ticket a = tracker.track(P0, 0);
    tracker.track(P0, 1);
    OffsetTracker.Ticket b = tracker.track(P1, 7);
    tracker.complete(b);
    tracker.complete(a);

    assertThat(tracker.takeCommittable())
        .isEqualTo(Map.of(P0, new OffsetAndMetadata(1), P1, new OffsetAndMetadata(8)));
  }

  @Test
  void aPositionIsOfferedOnceUnlessItsCommitFailed() {
    tracker.complete(tracker.track(P0, 0));
    Map<TopicPartition, OffsetAndMetadata> first = tracker.takeCommittable();
    assertThat(first).containsEntry(P0, new OffsetAndMetadata(1));
    assertThat(tracker.takeCommittable()).isEmpty();

    tracker.commitFailed(first);
    assertThat(tracker.takeCommittable()).isEqualTo(first);
  }

  @Test
  void forgottenPartitionsIgnoreLateCompletionsEvenAfterComingBack() {
    OffsetTracker.Ticket old = tracker.track(P0, 3);
    tracker.forget(List.of(P0));
    assertThat(tracker.isCurrent(old)).isFalse();

    // Reassigned: the committed position was 3, so offset 3 is consumed again.
    OffsetTracker.Ticket again = tracker.track(P0, 3);
    assertThat(tracker.complete(old)).isFalse();
    assertThat(tracker.takeCommittable()).isEmpty();

    assertThat(tracker.complete(again)).isTrue();
    assertThat(tracker.takeCommittable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(4)));
  }

  @Test
  void offsetsMustIncreasePerPartition() {
    tracker.track(P0, 5);
    assertThatThrownBy(() -> tracker.track(P0, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tracker.track(P0, 4)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void completingTwiceIsHarmless() {
    OffsetTracker.Ticket t = tracker.track(P0, 0);
    assertThat(tracker.complete(t)).isTrue();
    assertThat(tracker.complete(t)).isFalse();
    assertThat(tracker.takeCommittable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(1)));
  }
}
