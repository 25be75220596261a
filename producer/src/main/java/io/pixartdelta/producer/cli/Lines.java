package io.pixartdelta.producer.cli;

import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Human-readable one-line renderings shared by the plain and progress-bar outputs. */
final class Lines {
  private Lines() {}

  /** One or more lines describing a status event (one per image for SUCCEEDED). */
  static List<String> describe(StatusEvent e) {
    List<String> lines = new ArrayList<>();
    String head = time(e.eventTime()) + " " + e.jobId() + " " + e.state();
    switch (e.state()) {
      case ACCEPTED ->
          lines.add(head + " (attempt " + e.attempt() + ", worker " + e.workerId() + ")");
      case STARTED ->
          lines.add(
              head
                  + (e.batchId() == null
                      ? ""
                      : " (batch " + e.batchId() + ", size " + e.batchSize() + ")"));
      case SUCCEEDED -> {
        if (e.results() == null || e.results().isEmpty()) {
          lines.add(head);
        }
        for (ImageResult r : e.results() == null ? List.<ImageResult>of() : e.results()) {
          lines.add(
              head
                  + " "
                  + r.uri()
                  + " "
                  + r.width()
                  + "x"
                  + r.height()
                  + " seed="
                  + r.seed()
                  + " "
                  + r.bytes()
                  + "B");
        }
      }
      case FAILED, EXPIRED, CANCELLED -> {
        ErrorInfo err = e.error();
        lines.add(
            head
                + (err == null
                    ? ""
                    : " "
                        + err.code()
                        + (err.retryable() ? " (retryable)" : "")
                        + ": "
                        + err.message()));
      }
    }
    return lines;
  }

  /** An event time for people: UTC, to the millisecond (events carry nanoseconds). */
  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** {@code 1 job}, {@code 2 jobs}. */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  static String summary(int jobs, Tally t) {
    StringBuilder sb =
        new StringBuilder()
            .append("summary: ")
            .append(count(jobs, "job"))
            .append(", ")
            .append(t.succeeded())
            .append(" succeeded, ")
            .append(t.failed())
            .append(" failed, ")
            .append(t.expired())
            .append(" expired, ")
            .append(t.timedOut())
            .append(" timed out, ")
            .append(count(t.errors(), "error"));
    Map<String, Integer> byCode = t.failuresByCode();
    if (!byCode.isEmpty()) {
      sb.append(" (failures by code: ").append(byCode).append(")");
    }
    return sb.toString();
  }
}
