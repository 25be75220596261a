package io.pixartdelta.worker.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.worker.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final BatchKey SQUARE = new BatchKey(1024, 1024, 4, SchedulerKind.LCM, 0f, null);
  private static final BatchKey WIDE = new BatchKey(1344, 768, 4, SchedulerKind.LCM, 0f, null);
  private static final BatchKey SQUARE_2_STEPS =
      new BatchKey(1024, 1024, 2, SchedulerKind.LCM, 0f, null);

  private final MutableClock clock = new MutableClock(T0);
  private final MicroBatcher<String> batcher =
      new MicroBatcher<>(new BatchPolicy(3, Duration.ofMillis(100)), clock);

  @Test
  void batchClosesWhenFull() {
    batcher.add("a", SQUARE, 0, null);
    batcher.add("b", SQUARE, 0, null);
    assertThat(batcher.pollReady()).isEmpty();

    batcher.add("c", SQUARE, 0, null);
    Batch<String> batch = batcher.pollReady().orElseThrow();

    assertThat(batch.items()).containsExactly("a", "b", "c");
    assertThat(batch.reason()).isEqualTo(Batch.Reason.FULL);
    assertThat(batch.key()).isEqualTo(SQUARE);
    assertThat(batcher.size()).isZero();
  }

  @Test
  void batchClosesWhenTheOldestItemWaitedMaxWait() {
    batcher.add("a", SQUARE, 0, null);
    clock.advance(Duration.ofMillis(60));
    batcher.add("b", SQUARE, 0, null);
    clock.advance(Duration.ofMillis(39));
    assertThat(batcher.pollReady()).isEmpty();

    clock.advance(Duration.ofMillis(1));
    Batch<String> batch = batcher.pollReady().orElseThrow();

    assertThat(batch.items()).containsExactly("a", "b");
    assertThat(batch.reason()).isEqualTo(Batch.Reason.WAITED);
  }

  @Test
  void largeBinsGetSmallerBatchesUnderAPixelBudget() {
    // Budget: two 1024² images. A 512² bin may batch 8 (capped by maxBatchSize 8).
    MicroBatcher<String> bounded =
        new MicroBatcher<>(new BatchPolicy(8, Duration.ofMillis(100), 2L * 1024 * 1024), clock);
    BatchKey small = new BatchKey(512, 512, 4, SchedulerKind.LCM, 0f, null);
    for (int i = 0; i < 9; i++) {
      bounded.add("big-" + i, SQUARE, 0, null);
      bounded.add("small-" + i, small, 0, null);
    }
    assertThat(bounded.pollReady().orElseThrow().items())
        .hasSize(2)
        .allMatch(id -> id.startsWith("big"));
    assertThat(bounded.pollReady().orElseThrow().items())
        .hasSize(8)
        .allMatch(id -> id.startsWith("small"));
    assertThat(new BatchPolicy(8, Duration.ZERO, 2L * 1024 * 1024).maxBatchSize(WIDE)).isEqualTo(2);
    assertThat(new BatchPolicy(8, Duration.ZERO, 1).maxBatchSize(SQUARE)).isEqualTo(1);
    assertThat(new BatchPolicy(8, Duration.ZERO).maxBatchSize(SQUARE)).isEqualTo(8);
  }

  @Test
  void differentKeysAreNeverMixed() {
    batcher.add("square", SQUARE, 0, null);
    batcher.add("wide", WIDE, 0, null);
    batcher.add("two-steps", SQUARE_2_STEPS, 0, null);
    clock.advance(Duration.ofMillis(100));

    assertThat(batcher.pollReady().orElseThrow().items()).containsExactly("square");
    assertThat(batcher.pollReady().orElseThrow().items()).containsExactly("wide");
    assertThat(batcher.pollReady().orElseThrow().items()).containsExactly("two-steps");
    assertThat(batcher.pollReady()).isEmpty();
  }

  @Test
  void higherPriorityIsTakenFirstWithinAKeyAndTiesKeepArrivalOrder() {
    batcher.add("low-1", SQUARE, 0, null);
    batcher.add("low-2", SQUARE, 0, null);
    batcher.add("high", SQUARE, 10, null);
    batcher.add("low-3", SQUARE, 0, null);
    batcher.add("mid", SQUARE, 5, null);

    assertThat(batcher.pollReady().orElseThrow().items()).containsExactly("high", "mid", "low-1");
    clock.advance(Duration.ofMillis(100));
    assertThat(batcher.pollReady().orElseThrow().items()).containsExactly("low-2", "low-3");
  }

  @Test
  void readyKeyWithTheOldestItemGoesFirst() {
    batcher.add("wide-old", WIDE, 0, null);
    batcher.add("square-1", SQUARE, 0, null);
    batcher.add("square-2", SQUARE, 0, null);
    batcher.add("square-3", SQUARE, 0, null);
    clock.advance(Duration.ofMillis(100));

    assertThat(batcher.pollReady().orElseThrow().items()).containsExactly("wide-old");
    assertThat(batcher.pollReady().orElseThrow().items())
        .containsExactly("square-1", "square-2", "square-3");
  }

  @Test
  void expiredItemsAreHandedBackAndNeverBatched() {
    batcher.add("expires", SQUARE, 100, T0.plusMillis(50));
    batcher.add("keeps", SQUARE, 0, T0.plusSeconds(60));
    batcher.add("no-deadline", SQUARE, 0, null);
    clock.advance(Duration.ofMillis(100));

    Batch<String> batch = batcher.pollReady().orElseThrow();
    assertThat(batch.items()).containsExactly("keeps", "no-deadline");
    List<Queued<String>> expired = batcher.takeExpired();
    assertThat(expired).extracting(Queued::item).containsExactly("expires");
    assertThat(batcher.takeExpired()).isEmpty();
    assertThat(batcher.size()).isZero();
  }

  @Test
  void anItemAlreadyPastItsDeadlineIsExpiredImmediately() {
    batcher.add("late", SQUARE, 0, T0.minusSeconds(1));

    assertThat(batcher.pollReady()).isEmpty();
    assertThat(batcher.takeExpired()).extracting(Queued::item).containsExactly("late");
  }

  @Test
  void nextWakeUpIsTheEarliestOfMaxWaitAndDeadlines() {
    assertThat(batcher.nextWakeUp()).isEmpty();
    batcher.add("a", SQUARE, 0, null);
    assertThat(batcher.nextWakeUp()).contains(T0.plusMillis(100));
    batcher.add("b", WIDE, 0, T0.plusMillis(30));
    assertThat(batcher.nextWakeUp()).contains(T0.plusMillis(30));
  }

  @Test
  void queueWaitIsMeasuredWithTheInjectedClock() {
    batcher.add("a", SQUARE, 0, null);
    clock.advance(Duration.ofMillis(250));
    Batch<String> batch = batcher.pollReady().orElseThrow();

    assertThat(batch.entries().get(0).waitedAt(batch.formedAt())).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void pollAnyFlushesWithoutWaiting() {
    batcher.add("a", SQUARE, 0, null);
    batcher.add("b", WIDE, 0, null);

    Optional<Batch<String>> first = batcher.pollAny();
    assertThat(first.orElseThrow().items()).containsExactly("a");
    assertThat(first.orElseThrow().reason()).isEqualTo(Batch.Reason.FLUSHED);
    assertThat(batcher.pollAny().orElseThrow().items()).containsExactly("b");
    assertThat(batcher.pollAny()).isEmpty();
  }

  @Test
  void removeIfDropsMatchingItems() {
    batcher.add("p0-a", SQUARE, 0, null);
    batcher.add("p1-a", SQUARE, 0, null);
    batcher.add("p0-b", WIDE, 0, null);

    assertThat(batcher.removeIf(item -> item.startsWith("p0")))
        .extracting(Queued::item)
        .containsExactlyInAnyOrder("p0-a", "p0-b");
    assertThat(batcher.size()).isEqualTo(1);
    clock.advance(Duration.ofMillis(100));
    assertThat(batcher.pollReady().orElseThrow().items()).containsExactly("p1-a");
  }

  @Test
  void batchSizeOneClosesEveryItemAlone() {
    MicroBatcher<String> single = new MicroBatcher<>(new BatchPolicy(1, Duration.ofDays(1)), clock);
    single.add("a", SQUARE, 0, null);
    single.add("b", SQUARE, 0, null);

    assertThat(single.pollReady().orElseThrow().items()).containsExactly("a");
    assertThat(single.pollReady().orElseThrow().items()).containsExactly("b");
  }
}
