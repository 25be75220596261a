package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.OutputSpec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.render.JobLogContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, logs: a worker process started as the README says for JSON logs ({@code
 * -Dlogback.configurationFile=logback-json.xml}) renders jobs with the tiny PixArt model through
 * the embedded broker and S3Proxy, and one job fails. Every line it writes is one JSON object with
 * a zoned timestamp, level, thread, logger and message; each job's lines carry its id, batch and
 * prompt digest from the MDC, the failure its error code, and no line holds a prompt.
 */
class JsonLogE2ETest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final String PERSONAL = "a portrait of Jane Doe at 12 Elm Street";
  private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void everyLineIsJsonWithTheJobContextAndNoPromptInClear(@TempDir Path dir) throws Exception {
    String name = "jsonlog";
    Map<String, String> values = stack.optionValues(name, "json-1");
    values.put("model.dir", Fixtures.tinyModel().toString());
    List<RenderJob> good = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      good.add(
          RenderJob.builder("json-" + i, PERSONAL + ", take " + i)
              .size(256, 256)
              .binning(false)
              .steps(1)
              .seed((long) i)
              .build());
    }
    RenderJob bad =
        RenderJob.builder("json-bad", PERSONAL + ", elsewhere")
            .size(256, 256)
            .output(OutputSpec.png("not-an-allowed-bucket", null))
            .build();
    List<String> ids = new ArrayList<>(good.stream().map(RenderJob::jobId).toList());
    ids.add(bad.jobId());

    Path log = dir.resolve("worker.log");
    Map<String, StatusEvent> terminal;
    try (StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        WorkerProcess worker =
            WorkerProcess.start(
                List.of(
                    "-Xmx1g",
                    "-Dai.djl.offline=true",
                    "-Dlogback.configurationFile=logback-json.xml"),
                List.of(),
                values,
                log)) {
      good.forEach(job -> stack.send(name, job));
      stack.send(name, bad);
      terminal = statuses.awaitTerminal(ids, TIMEOUT);
      // Stopped (and waited for) so that its output is complete; 143 is the JVM's SIGTERM status.
      assertThat(worker.stop()).as("exit code after SIGTERM").isIn(0, 143);
    }
    for (RenderJob job : good) {
      assertThat(terminal.get(job.jobId()).state()).as(job.jobId()).isEqualTo(JobState.SUCCEEDED);
    }
    assertThat(terminal.get(bad.jobId()).error().code()).isEqualTo(ErrorCodes.OUTPUT_NOT_ALLOWED);

    String output = Files.readString(log);
    System.out.println(output);
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : output.lines().toList()) {
      JsonNode node = json.readTree(line);
      assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
      assertThat(OffsetDateTime.parse(node.path("@timestamp").asText()).getOffset())
          .as("zoned timestamp: %s", line)
          .isNotNull();
      assertThat(node.path("level").asText()).as(line).isIn(LEVELS);
      assertThat(node.path("thread_name").asText()).as(line).isNotBlank();
      assertThat(node.path("logger_name").asText()).as(line).isNotBlank();
      assertThat(node.has("message")).as(line).isTrue();
      lines.add(node);
    }
    assertThat(lines).isNotEmpty();
    assertThat(output).doesNotContain("Jane Doe");

    for (RenderJob job : good) {
      assertThat(linesOf(lines, job))
          .as("lines of %s", job.jobId())
          .anySatisfy(
              line -> {
                assertThat(line.path(JobLogContext.BATCH_ID).asText()).isNotBlank();
                assertThat(line.path("message").asText()).contains(job.jobId(), "SUCCEEDED");
              });
    }
    assertThat(linesOf(lines, bad))
        .as("lines of %s", bad.jobId())
        .anySatisfy(
            line -> {
              assertThat(line.path("errorCode").asText()).isEqualTo(ErrorCodes.OUTPUT_NOT_ALLOWED);
              assertThat(line.path("message").asText())
                  .contains("FAILED", ErrorCodes.OUTPUT_NOT_ALLOWED);
            });
  }

  /** The lines whose MDC names the job; each also carries the digest of the job's prompt. */
  private static List<JsonNode> linesOf(List<JsonNode> lines, RenderJob job) {
    List<JsonNode> mine =
        lines.stream()
            .filter(line -> job.jobId().equals(line.path(JobLogContext.JOB_ID).asText()))
            .toList();
    for (JsonNode line : mine) {
      assertThat(line.path(JobLogContext.PROMPT_SHA256).asText())
          .isEqualTo(JobLogContext.promptSha256(job.prompt()));
    }
    return mine;
  }
}
