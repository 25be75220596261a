package io.pixartdelta.producer.cli;

import io.pixartdelta.producer.JobResult;
import io.pixartdelta.schemas.JobState;
import java.util.Map;
import java.util.TreeMap;

/** Counts job outcomes and derives the exit code. Thread-safe. */
final class Tally {
  private int succeeded;
  private int failed;
  private int expired;
  private int timedOut;
  private int errors;
  private int images;
  private final Map<String, Integer> failuresByCode = new TreeMap<>();

  synchronized void add(JobResult result) {
    if (result.succeeded()) {
      succeeded++;
      images += result.results().size();
      return;
    }
    if (result.state() == JobState.EXPIRED) {
      expired++;
    } else {
      failed++;
    }
    failuresByCode.merge(result.errorCode(), 1, Integer::sum);
  }

  synchronized void addTimeout() {
    timedOut++;
  }

  synchronized void addError() {
    errors++;
  }

  synchronized int succeeded() {
    return succeeded;
  }

  synchronized int failed() {
    return failed;
  }

  synchronized int expired() {
    return expired;
  }

  synchronized int timedOut() {
    return timedOut;
  }

  synchronized int errors() {
    return errors;
  }

  synchronized int images() {
    return images;
  }

  synchronized int finished() {
    return succeeded + failed + expired + timedOut + errors;
  }

  /** FAILED and EXPIRED jobs by error code, sorted by code. */
  synchronized Map<String, Integer> failuresByCode() {
    return new TreeMap<>(failuresByCode);
  }

  /** 4 if any infrastructure error, else 3 if any timeout, else 1 if any failure, else 0. */
  synchronized int exitCode() {
    if (errors > 0) {
      return ExitCodes.INFRASTRUCTURE;
    }
    if (timedOut > 0) {
      return ExitCodes.TIMED_OUT;
    }
    if (failed + expired > 0) {
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }
}
