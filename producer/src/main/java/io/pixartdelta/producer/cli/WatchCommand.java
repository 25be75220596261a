package io.pixartdelta.producer.cli;

import io.pixartdelta.producer.StatusTopicReader;
import io.pixartdelta.schemas.StatusEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code watch}: tail the status topic. */
@Command(
    name = "watch",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = "Print status events as they are published (Ctrl-C to stop).")
final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--job",
      paramLabel = "JOBID",
      description = "Only events of this job (repeatable).")
  List<String> jobs = new ArrayList<>();

  @Option(
      names = "--since",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Start with the events of the last DURATION (default: new events only).")
  Duration since;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop after this long (default: until interrupted).")
  Duration duration;

  @Option(names = "--max-events", paramLabel = "N", description = "Stop after N printed events.")
  Integer maxEvents;

  @Option(names = "--json", description = "One JSON object per event.")
  boolean json;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Set<String> only = new HashSet<>(jobs);
    Instant from = since == null ? null : Instant.now().minus(since);
    int[] printed = {0};
    StatusTopicReader reader = new StatusTopicReader(connection.kafka());
    Thread stopper = new Thread(reader::close, "watch-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      reader.follow(
          from,
          duration,
          (StatusEvent event) -> {
            if (!only.isEmpty() && !only.contains(event.jobId())) {
              return true;
            }
            if (json) {
              out.println(JsonReporter.statusLine(event));
            } else {
              Lines.describe(event).forEach(out::println);
            }
            out.flush();
            printed[0]++;
            return maxEvents == null || printed[0] < maxEvents;
          });
    } finally {
      reader.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is already running.
      }
    }
    return ExitCodes.OK;
  }
}
