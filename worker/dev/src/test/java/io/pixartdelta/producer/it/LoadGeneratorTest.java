package io.pixartdelta.producer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.producer.load.LoadGenerator;
import io.pixartdelta.producer.load.LoadReport;
import io.pixartdelta.producer.load.LoadShape;
import io.pixartdelta.schemas.OutputSpec;
import io.pixartdelta.schemas.RenderJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link LoadGenerator} against the embedded broker and the stand-in worker (which fails jobs whose
 * prompt says "fail"): outcome counts add up, pacing and the in-flight bound hold.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(EmbeddedStackExtension.class)
class LoadGeneratorTest {
  private static RenderClient client;

  @BeforeAll
  static void start(EmbeddedStack stack) {
    client =
        RenderClient.builder(stack.kafka.bootstrapServers())
            .jobsTopic(EmbeddedStack.JOBS)
            .statusTopic(EmbeddedStack.STATUS)
            .statusLookBack(Duration.ZERO)
            .defaultTimeout(Duration.ofSeconds(60))
            .build();
    client.ready().join();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
  }

  private static LoadGenerator.JobSource jobs(String prefix, int failEvery) {
    return i ->
        RenderJob.builder(
                prefix + "-" + i, (i + 1) % failEvery == 0 ? "fail on purpose" : "a red fox")
            .size(256, 256)
            .steps(1)
            .output(OutputSpec.png(EmbeddedStack.BUCKET, "load"))
            .build();
  }

  @Test
  void closedLoopCountsEveryOutcomeAndKeepsTheInFlightBound() throws Exception {
    AtomicInteger maxPending = new AtomicInteger();
    LoadGenerator.JobSource failing = jobs("closed-" + System.nanoTime(), 4);
    LoadGenerator.JobSource source =
        i -> {
          // Called just before job i is submitted: the jobs still unfinished are the others.
          maxPending.accumulateAndGet(client.pendingJobs(), Math::max);
          return failing.job(i);
        };
    List<LoadReport> progress = new ArrayList<>();
    LoadReport report =
        new LoadGenerator(
                client,
                LoadShape.inFlight(3, Duration.ofSeconds(60), 12),
                source,
                Duration.ofMillis(200),
                progress::add)
            .run();

    assertThat(report.submitted()).isEqualTo(12);
    assertThat(report.succeeded()).isEqualTo(9);
    assertThat(report.failed()).isEqualTo(3);
    assertThat(report.failuresByCode()).containsEntry("render-failed", 3L).hasSize(1);
    assertThat(report.expired() + report.timedOut() + report.errors()).isZero();
    assertThat(report.finished()).isEqualTo(12);
    assertThat(report.lost()).isZero();
    assertThat(report.images()).isEqualTo(9);
    assertThat(maxPending.get()).isLessThanOrEqualTo(2);
    assertThat(report.latencyP50Ms())
        .isLessThanOrEqualTo(report.latencyP90Ms())
        .isLessThanOrEqualTo(report.latencyP99Ms())
        .isLessThanOrEqualTo(report.latencyMaxMs());
    assertThat(report.throughput()).isPositive();
    assertThat(report.windowSeconds()).isPositive().isLessThanOrEqualTo(report.elapsedSeconds());
    for (LoadReport soFar : progress) {
      assertThat(soFar.finished()).isLessThanOrEqualTo(soFar.submitted());
    }
  }

  @Test
  void progressTicksSteadilyUntilTheLastOutcomeAndTheWindowIsNamed() throws Exception {
    List<Long> ticks = new java.util.concurrent.CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    LoadReport report =
        new LoadGenerator(
                client,
                LoadShape.fixedRate(2, null, 4),
                jobs("ticks-" + System.nanoTime(), Integer.MAX_VALUE),
                Duration.ofMillis(100),
                soFar -> ticks.add(System.nanoTime()))
            .run();
    long end = System.nanoTime();

    assertThat(report.allSucceeded()).isTrue();
    // 4 jobs at 2/s take 1.5 s to submit: a tick every 100 ms, also between two submissions.
    long expected = (end - start) / 100_000_000L;
    assertThat(ticks.size()).isBetween((int) expected - 3, (int) expected + 1);
    for (int i = 1; i < ticks.size(); i++) {
      assertThat((ticks.get(i) - ticks.get(i - 1)) / 1_000_000L).isLessThan(1000);
    }
    if (report.throughputWindow() == LoadReport.ThroughputWindow.WHOLE_RUN) {
      assertThat(report.windowSeconds()).isEqualTo(report.elapsedSeconds());
    } else {
      assertThat(report.windowSeconds()).isLessThan(report.elapsedSeconds());
    }
  }

  @Test
  void openLoopPacesSubmissionsAtTheRate() throws Exception {
    LoadReport report =
        new LoadGenerator(
                client,
                LoadShape.fixedRate(20, null, 10),
                jobs("open-" + System.nanoTime(), Integer.MAX_VALUE))
            .run();

    assertThat(report.submitted()).isEqualTo(10);
    assertThat(report.allSucceeded()).isTrue();
    assertThat(report.lost()).isZero();
    // Job i is due i/20 s after the start: 10 jobs take at least 0.45 s to submit.
    assertThat(report.submitRate()).isLessThanOrEqualTo(20.0 + 1e-6);
    assertThat(report.elapsedSeconds()).isGreaterThanOrEqualTo(0.45);
  }
}
