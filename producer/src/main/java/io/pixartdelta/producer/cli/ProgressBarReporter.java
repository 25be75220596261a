package io.pixartdelta.producer.cli;

import io.pixartdelta.common.Durations;
import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.schemas.StatusEvent;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A live progress bar on the terminal's stderr counting finished jobs. Result lines go to stdout as
 * they happen, above the bar: the bar's line is blanked, the lines printed, the bar redrawn. The
 * final bar is drawn once, then the summary.
 */
final class ProgressBarReporter implements Reporter {
  private final ProgressBar bar;
  private final BarLine line;
  private final PrintWriter out;
  private int started;
  private int ok;
  private int bad;
  private boolean closed;

  ProgressBarReporter(PrintWriter out, int jobs) {
    this(out, System.err, -1, jobs);
  }

  /**
   * @param err where the bar is drawn
   * @param width columns available to the bar, or -1 for the terminal's width
   */
  ProgressBarReporter(PrintWriter out, PrintStream err, int width, int jobs) {
    this.out = out;
    this.line = new BarLine(err, width);
    this.bar =
        new ProgressBarBuilder()
            .setTaskName("render")
            .setInitialMax(jobs)
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setUnit(" jobs", 1)
            .showSpeed(new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT)))
            .hideEta() // the counts after the bar matter more than a guess of the end
            .continuousUpdate() // the elapsed time and speed move while no job finishes
            .setConsumer(line)
            .build();
    bar.setExtraMessage(message());
  }

  @Override
  public synchronized void sent(String jobId, boolean sent) {
    bar.setExtraMessage(message());
  }

  @Override
  public synchronized void status(StatusEvent event) {
    switch (event.state()) {
      case STARTED -> started++;
      case SUCCEEDED -> {
        ok++;
        finished(Lines.describe(event));
      }
      case FAILED, EXPIRED, CANCELLED -> {
        bad++;
        finished(Lines.describe(event));
      }
      case ACCEPTED -> {
        // counted when it starts
      }
    }
    bar.setExtraMessage(message());
  }

  private String message() {
    return " ok " + ok + ", failed " + bad + ", started " + started;
  }

  private void finished(List<String> lines) {
    bar.step();
    bar.setExtraMessage(message());
    line.printAbove(out, lines);
    bar.refresh();
  }

  @Override
  public synchronized void timedOut(JobTimeoutException timeout) {
    bad++;
    finished(List.of(timeout.jobId() + " TIMED-OUT after " + Durations.format(timeout.timeout())));
  }

  @Override
  public synchronized void error(String jobId, Throwable error) {
    bad++;
    finished(List.of(jobId + " ERROR " + error.getMessage()));
  }

  @Override
  public synchronized void downloaded(String jobId, Path file) {
    line.printAbove(out, List.of(jobId + " downloaded " + file));
    bar.refresh();
  }

  @Override
  public synchronized void summary(int jobs, Tally tally) {
    close();
    out.println(Lines.summary(jobs, tally));
    out.flush();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      bar.close(); // draws the final bar and ends its line
    }
    out.flush();
  }

  /** The bar's console line, remembered so that other output can be printed above it. */
  private static final class BarLine extends ConsoleProgressBarConsumer {
    private final PrintStream err;
    private String last;

    BarLine(PrintStream err, int width) {
      super(err, width);
      this.err = err;
    }

    @Override
    public synchronized void accept(String rendered) {
      super.accept(rendered);
      last = rendered;
      err.flush();
    }

    /** Blanks the bar's line, prints {@code lines} in its place and draws the bar again below. */
    synchronized void printAbove(PrintWriter out, List<String> lines) {
      if (last != null) {
        err.print("\r" + " ".repeat(Math.min(last.length(), getMaxRenderedLength())) + "\r");
        err.flush();
      }
      lines.forEach(out::println);
      out.flush();
      if (last != null) {
        accept(last);
      }
    }

    @Override
    public synchronized void close() {
      super.close();
    }
  }
}
