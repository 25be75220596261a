package io.pixartdelta.producer.cli;

import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.schemas.StatusEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A live progress bar (on the terminal's stderr) counting finished jobs; result lines are printed
 * to stdout once the bar is done so they do not tear it.
 */
final class ProgressBarReporter implements Reporter {
  private final ProgressBar bar;
  private final PrintWriter out;
  private final List<String> deferred = new ArrayList<>();
  private int running;
  private int ok;
  private int bad;

  ProgressBarReporter(PrintWriter out, int jobs) {
    this.out = out;
    this.bar =
        new ProgressBarBuilder()
            .setTaskName("render")
            .setInitialMax(jobs)
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setUnit(" jobs", 1)
            .showSpeed()
            // Plain carriage-return redraws on stderr: the interactive consumer moves the cursor
            // up and would overwrite result lines printed to stdout meanwhile.
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .build();
  }

  @Override
  public synchronized void sent(String jobId, boolean sent) {
    bar.setExtraMessage(message());
  }

  @Override
  public synchronized void status(StatusEvent event) {
    switch (event.state()) {
      case STARTED -> running++;
      case SUCCEEDED -> {
        ok++;
        bar.step();
        deferred.addAll(Lines.describe(event));
      }
      case FAILED, EXPIRED, CANCELLED -> {
        bad++;
        bar.step();
        deferred.addAll(Lines.describe(event));
      }
      case ACCEPTED -> {
        // counted when it starts
      }
    }
    bar.setExtraMessage(message());
  }

  private String message() {
    return " ok " + ok + ", failed " + bad + ", started " + running;
  }

  @Override
  public synchronized void timedOut(JobTimeoutException timeout) {
    bad++;
    bar.step();
    deferred.add(timeout.jobId() + " TIMED-OUT after " + timeout.timeout());
  }

  @Override
  public synchronized void error(String jobId, Throwable error) {
    bad++;
    bar.step();
    deferred.add(jobId + " ERROR " + error.getMessage());
  }

  @Override
  public synchronized void downloaded(String jobId, Path file) {
    deferred.add(jobId + " downloaded " + file);
  }

  @Override
  public synchronized void summary(int jobs, Tally tally) {
    bar.close();
    deferred.forEach(out::println);
    deferred.clear();
    out.println(Lines.summary(jobs, tally));
    out.flush();
  }

  @Override
  public synchronized void close() {
    bar.close();
    deferred.forEach(out::println);
    deferred.clear();
    out.flush();
  }
}
