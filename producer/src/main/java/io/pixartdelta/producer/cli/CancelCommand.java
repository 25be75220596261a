package io.pixartdelta.producer.cli;

import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.schemas.CancelRequest;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cancel JOBID...}: cancel requests for jobs that have not started rendering. */
@Command(
    name = "cancel",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Ask the workers to cancel jobs that have not started rendering: a queued job ends"
          + " CANCELLED, a job that has started or finished is not affected (see its status).",
      "Exit code: 0 every request was sent, 2 invalid job id, 4 Kafka unreachable."
    })
final class CancelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "JOBID", arity = "1..*", description = "The jobs to cancel.")
  List<String> jobIds;

  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      description = "Why (at most 512 characters); shown in the CANCELLED status event.")
  String reason;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    for (String jobId : jobIds) {
      CancelRequest.of(jobId, reason, Instant.EPOCH); // refuses a bad id or reason before sending
    }
    PrintWriter out = spec.commandLine().getOut();
    try (RenderClient client =
        RenderClient.builder(connection.bootstrap)
            .jobsTopic(connection.jobsTopic)
            .statusTopic(connection.statusTopic)
            .clientId("pixart-cli")
            .connectTimeout(connection.connectTimeout)
            .build()) {
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (String jobId : jobIds) {
        sent.add(client.cancel(jobId, reason));
      }
      for (int i = 0; i < jobIds.size(); i++) {
        try {
          sent.get(i).join();
        } catch (CompletionException e) {
          throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        out.println(jobIds.get(i) + " cancel requested");
      }
    }
    out.flush();
    return ExitCodes.OK;
  }
}
