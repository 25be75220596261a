package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planning side of cancellation: a cancel that arrives while a job is being planned. */
class CancellationsTest {
  private final Cancellations cancellations = new Cancellations();
  private final List<String> queue = new ArrayList<>();

  @Test
  void aJobCancelledWhilePlannedIsNotQueuedAndItsReasonIsReturned() {
    cancellations.planningStarted("a");
    assertThat(cancellations.cancel("a", "stop", () -> List.of())).isEmpty();
    assertThat(cancellations.planningEnded("a", () -> queue.add("a"))).isEqualTo("stop");
    assertThat(queue).isEmpty();
    assertThat(cancellations.isPlanning("a")).isFalse();

    // The request is forgotten once planning ended: a later copy is queued.
    cancellations.planningStarted("a");
    assertThat(cancellations.planningEnded("a", () -> queue.add("a"))).isNull();
    assertThat(queue).containsExactly("a");
  }

  @Test
  void everyCopyBeingPlannedIsCancelledAndACancelWithoutReasonSaysSo() {
    cancellations.planningStarted("b");
    cancellations.planningStarted("b");
    cancellations.cancel("b", null, () -> List.of());
    assertThat(cancellations.planningEnded("b", () -> queue.add("b1"))).isEmpty();
    assertThat(cancellations.planningEnded("b", () -> queue.add("b2"))).isEmpty();
    assertThat(queue).isEmpty();
  }

  @Test
  void aCancelOfAJobNotBeingPlannedOnlyRemovesQueuedCopies() {
    List<String> removed = cancellations.cancel("c", "x", () -> List.of("c"));
    assertThat(removed).containsExactly("c");
    cancellations.planningStarted("c");
    assertThat(cancellations.planningEnded("c", () -> queue.add("c"))).isNull();
    assertThat(queue).containsExactly("c");
  }
}
