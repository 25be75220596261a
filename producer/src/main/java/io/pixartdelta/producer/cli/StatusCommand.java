package io.pixartdelta.producer.cli;

import io.pixartdelta.common.Durations;
import io.pixartdelta.producer.InfrastructureException;
import io.pixartdelta.producer.S3Location;
import io.pixartdelta.producer.S3Transfer;
import io.pixartdelta.producer.StatusTopicReader;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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
      "Exit code: 0 SUCCEEDED, 1 FAILED/EXPIRED, 3 not finished (ACCEPTED/STARTED or no event yet).",
      "Without an event, and with S3 configured (PIXART_S3_ENDPOINT or PIXART_S3_ACCESS_KEY), it"
          + " looks for the job's images under the worker's default bucket and prefix."
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

  @Option(
      names = "--bucket",
      paramLabel = "BUCKET",
      defaultValue = "${env:PIXART_OUTPUT_DEFAULT_BUCKET:-renders}",
      description =
          "Where to look for the images of a job without status events (env"
              + " PIXART_OUTPUT_DEFAULT_BUCKET, as the worker; default: ${DEFAULT-VALUE}).")
  String bucket;

  @Option(
      names = "--prefix",
      paramLabel = "PREFIX",
      defaultValue = "${env:PIXART_OUTPUT_DEFAULT_PREFIX:-images}",
      description =
          "Key prefix of those images (env PIXART_OUTPUT_DEFAULT_PREFIX; default:"
              + " ${DEFAULT-VALUE}).")
  String prefix;

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
        List<S3Location> images = storedImages();
        if (!images.isEmpty()) {
          out.println(
              "  its status history is gone (an embedded broker starts empty after a restart),"
                  + " but its images exist: "
                  + images.stream().map(S3Location::toString).collect(Collectors.joining(", ")));
        }
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

  /** The job's objects under the default output location; none when S3 is not set up here. */
  private List<S3Location> storedImages() {
    if (!connection.s3Configured()) {
      return List.of();
    }
    String keyPrefix = (prefix.isEmpty() ? "" : prefix + "/") + jobId + "/";
    try (S3Transfer s3 = new S3Transfer(connection.s3(null, null))) {
      return s3.list(bucket, keyPrefix, 4);
    } catch (InfrastructureException e) {
      return List.of(); // only a hint: the answer stays "no status event"
    }
  }
}
