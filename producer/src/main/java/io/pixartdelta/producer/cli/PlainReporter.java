package io.pixartdelta.producer.cli;

import io.pixartdelta.common.Durations;
import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.schemas.StatusEvent;
import java.io.PrintWriter;
import java.nio.file.Path;

/** One plain line per event, for logs and pipes. */
final class PlainReporter implements Reporter {
  private final PrintWriter out;

  PlainReporter(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void sent(String jobId, boolean sent) {
    out.println((sent ? "sent " : "already submitted ") + jobId);
    out.flush();
  }

  @Override
  public synchronized void status(StatusEvent event) {
    Lines.describe(event).forEach(out::println);
    out.flush();
  }

  @Override
  public synchronized void timedOut(JobTimeoutException timeout) {
    out.println(
        timeout.jobId()
            + " TIMED-OUT after "
            + Durations.format(timeout.timeout())
            + " (last state: "
            + (timeout.lastState() == null ? "none" : timeout.lastState())
            + ")");
    out.flush();
  }

  @Override
  public synchronized void error(String jobId, Throwable error) {
    out.println(jobId + " ERROR " + error.getMessage());
    out.flush();
  }

  @Override
  public synchronized void downloaded(String jobId, Path file) {
    out.println(jobId + " downloaded " + file);
    out.flush();
  }

  @Override
  public synchronized void summary(int jobs, Tally tally) {
    out.println(Lines.summary(jobs, tally));
    out.flush();
  }

  @Override
  public void close() {
    out.flush();
  }
}
