package io.pixartdelta.producer.cli;

import io.pixartdelta.producer.Durations;
import io.pixartdelta.producer.StatusTopicReader;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code status JOBID}: the latest status event of one job, read from the status topic. */
@Command(
    name = "status",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Print the latest status of a job by scanning the status topic.",
      "Exit code: 0 SUCCEEDED, 1 FAILED/EXPIRED, 3 not finished (ACCEPTED/STARTED or no event yet)."
    })
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "JOBID", description = "The job id.")
  String jobId;

  @Option(
      names = "--since",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Only scan events of the last DURATION (default: the whole topic).")
  Duration since;

  @Option(names = "--json", description = "Print the status event as JSON.")
  boolean json;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Instant from = since == null ? null : Instant.now().minus(since);
    Optional<StatusEvent> latest;
    try (StatusTopicReader reader = new StatusTopicReader(connection.kafka())) {
      latest = reader.latest(jobId, from);
    }
    if (latest.isEmpty()) {
      if (json) {
        out.println(JsonReporter.line("status", jobId).put("state", (String) null));
      } else {
        out.println(
            jobId
                + " no status event found"
                + (since == null ? "" : " in the last " + Durations.format(since)));
      }
      out.flush();
      return ExitCodes.TIMED_OUT;
    }
    StatusEvent event = latest.get();
    if (json) {
      out.println(JsonReporter.statusLine(event));
    } else {
      Lines.describe(event).forEach(out::println);
    }
    out.flush();
    JobState state = event.state();
    if (state == JobState.SUCCEEDED) {
      return ExitCodes.OK;
    }
    return state.isTerminal() ? ExitCodes.FAILED : ExitCodes.TIMED_OUT;
  }
}
