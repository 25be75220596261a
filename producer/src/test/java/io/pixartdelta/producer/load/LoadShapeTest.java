package io.pixartdelta.producer.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadShapeTest {
  @Test
  void exactlyOnePacingAndAtLeastOneBound() {
    assertThat(LoadShape.fixedRate(5, Duration.ofSeconds(1), 0).closedLoop()).isFalse();
    assertThat(LoadShape.inFlight(8, null, 100).closedLoop()).isTrue();
    assertThatThrownBy(() -> new LoadShape(5, 8, Duration.ofSeconds(1), 0))
        .hasMessageContaining("exactly one");
    assertThatThrownBy(() -> new LoadShape(0, 0, Duration.ofSeconds(1), 0))
        .hasMessageContaining("exactly one");
    assertThatThrownBy(() -> LoadShape.fixedRate(-1, Duration.ofSeconds(1), 0))
        .hasMessageContaining("ratePerSecond");
    assertThatThrownBy(() -> LoadShape.fixedRate(20_000, Duration.ofSeconds(1), 0))
        .hasMessageContaining("ratePerSecond");
    assertThatThrownBy(() -> LoadShape.inFlight(-2, Duration.ofSeconds(1), 0))
        .hasMessageContaining("maxInFlight");
    assertThatThrownBy(() -> LoadShape.inFlight(2, Duration.ZERO, 0))
        .hasMessageContaining("duration");
    assertThatThrownBy(() -> LoadShape.inFlight(2, null, 0)).hasMessageContaining("bound");
    assertThatThrownBy(() -> LoadShape.inFlight(2, null, -1)).hasMessageContaining("maxJobs");
  }

  @Test
  void reportCountsAddUp() {
    LoadReport report =
        new LoadReport(
            10,
            6,
            2,
            1,
            0,
            0,
            6,
            Map.of("render-failed", 3L),
            2,
            5,
            LoadReport.ThroughputWindow.STEADY,
            1.5,
            4,
            3,
            1,
            2,
            3,
            4);
    assertThat(report.finished()).isEqualTo(9);
    assertThat(report.lost()).isEqualTo(1);
    assertThat(report.allSucceeded()).isFalse();
  }
}
