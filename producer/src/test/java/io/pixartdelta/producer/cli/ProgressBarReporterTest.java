package io.pixartdelta.producer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.producer.JobResult;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bar as a terminal shows it: stdout and stderr land on one screen, where a carriage return
 * rewrites the current line.
 */
class ProgressBarReporterTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void resultLinesScrollAboveTheBarWhichEndsDrawnOnceWithItsCounts() throws Exception {
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    PrintStream terminal = new PrintStream(screen, true, StandardCharsets.UTF_8);
    PrintWriter out = new PrintWriter(terminal, true, StandardCharsets.UTF_8);
    ProgressBarReporter bar = new ProgressBarReporter(out, terminal, 100, 2);
    Tally tally = new Tally();
    for (String id : List.of("job-1", "job-2")) {
      bar.sent(id, true);
      bar.status(event(id, JobState.STARTED));
    }
    for (String id : List.of("job-1", "job-2")) {
      StatusEvent done = event(id, JobState.SUCCEEDED);
      bar.status(done);
      tally.add(new JobResult(done));
    }
    Thread.sleep(3100); // 2 jobs in 3 whole seconds: a speed below 1 job/s
    bar.summary(2, tally);
    bar.close(); // a second close draws nothing more

    List<String> lines = render(screen.toString(StandardCharsets.UTF_8));
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).contains("job-1 SUCCEEDED s3://renders/images/job-1/0.png");
    assertThat(lines.get(1)).contains("job-2 SUCCEEDED");
    String last = lines.get(2);
    assertThat(last)
        .startsWith("render 100%")
        .contains("2/2 jobs")
        .endsWith("ok 2, failed 0, started 2");
    // The speed keeps its leading zero: "0.7 jobs/s", never ".7 jobs/s".
    assertThat(last).containsPattern(" 0\\.\\d jobs/s ok 2");
    assertThat(lines.get(3)).startsWith("summary: 2 jobs, 2 succeeded");
  }

  private static StatusEvent event(String id, JobState state) {
    StatusEvent.Builder b = StatusEvent.builder(id, state).workerId("w1").eventTime(T).startedAt(T);
    if (state == JobState.SUCCEEDED) {
      b.finishedAt(T)
          .results(
              List.of(
                  new ImageResult(
                      0,
                      "s3://renders/images/" + id + "/0.png",
                      256,
                      256,
                      1,
                      "0".repeat(64),
                      "image/png",
                      10)));
    }
    return b.build();
  }

  /** The lines a terminal ends up showing; '\r' returns to the line's start and overwrites. */
  static List<String> render(String output) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    int column = 0;
    for (int i = 0; i < output.length(); i++) {
      char c = output.charAt(i);
      if (c == '\n') {
        lines.add(line.toString().stripTrailing());
        line.setLength(0);
        column = 0;
      } else if (c == '\r') {
        column = 0;
      } else {
        if (column < line.length()) {
          line.setCharAt(column, c);
        } else {
          line.append(c);
        }
        column++;
      }
    }
    if (!line.toString().isBlank()) {
      lines.add(line.toString().stripTrailing());
    }
    return lines.stream().map(ProgressBarReporterTest::withoutAnsi).toList();
  }

  private static String withoutAnsi(String s) {
    return s.replaceAll("\u001b\\[[0-9;]*m", "");
  }
}
