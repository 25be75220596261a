package io.pixartdelta.producer.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.producer.cli.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The CLI as a separate process ({@code java -cp <test classpath> ...ProducerMain}) against the
 * embedded broker, S3Proxy and the stand-in worker: exit codes and output of each command.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(EmbeddedStackExtension.class)
class CliProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedStack stack;

  @TempDir Path dir;

  record Run(int exit, String out, String err) {
    List<JsonNode> jsonLines() throws IOException {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : out.split("\\R")) {
        if (!line.isBlank()) {
          nodes.add(JSON.readTree(line));
        }
      }
      return nodes;
    }
  }

  @BeforeAll
  static void start(EmbeddedStack embedded) {
    stack = embedded;
  }

  private Run cli(String... args) throws Exception {
    return cli(Map.of(), args);
  }

  /** Runs the CLI with {@code environment} applied last (an empty value removes a variable). */
  private Run cli(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    // The CLI's own logging set-up (warnings to stderr), not the worker tests' (INFO to stdout).
    command.add("-Dlogback.configurationFile=logback-cli.xml");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.pixartdelta.producer.cli.ProducerMain");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PIXART_"));
    env.put("PIXART_KAFKA_BOOTSTRAP_SERVERS", stack.kafka.bootstrapServers());
    env.put("PIXART_KAFKA_JOBS_TOPIC", EmbeddedStack.JOBS);
    env.put("PIXART_KAFKA_STATUS_TOPIC", EmbeddedStack.STATUS);
    env.put("PIXART_S3_ENDPOINT", stack.s3.endpoint().toString());
    env.put("PIXART_S3_PATH_STYLE", "true");
    env.put("PIXART_S3_ACCESS_KEY", stack.s3.accessKey());
    env.put("PIXART_S3_SECRET_KEY", stack.s3.secretKey());
    environment.forEach(
        (name, value) -> {
          if (value.isEmpty()) {
            env.remove(name);
          } else {
            env.put(name, value);
          }
        });
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process process = pb.start();
    if (!process.waitFor(150, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("CLI did not finish: " + String.join(" ", args));
    }
    return new Run(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void submitWaitDownloadSucceeds() throws Exception {
    Path downloads = dir.resolve("images");
    Run run =
        cli(
            "submit",
            "a small cat",
            "--job-id",
            "cli-ok-1",
            "--size",
            "256x256",
            "--images",
            "2",
            "--bucket",
            "renders",
            "--prefix",
            "cli",
            "--wait",
            "--download",
            downloads.toString());
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    assertThat(run.out())
        .contains("cli-ok-1 ACCEPTED")
        .contains("cli-ok-1 SUCCEEDED s3://renders/cli/cli-ok-1/0.png 256x256")
        .contains("summary: 1 job, 1 succeeded");
    assertThat(downloads.resolve("cli-ok-1-0.png")).exists();
    assertThat(downloads.resolve("cli-ok-1-1.png")).exists();

    // Resubmitting the same id without waiting sends nothing new.
    Run again = cli("submit", "a small cat", "--job-id", "cli-ok-1", "--size", "256x256");
    assertThat(again.exit()).as(again.err()).isEqualTo(ExitCodes.OK);
    assertThat(again.out()).contains("already submitted cli-ok-1");
    assertThat(stack.worker.timesReceived("cli-ok-1")).isEqualTo(1);

    Run status = cli("status", "cli-ok-1");
    assertThat(status.exit()).isEqualTo(ExitCodes.OK);
    assertThat(status.out()).contains("cli-ok-1 SUCCEEDED s3://renders/cli/cli-ok-1/0.png");
  }

  @Test
  void failedJobExitsWithOne() throws Exception {
    Run run = cli("submit", "please fail", "--job-id", "cli-fail-1", "--wait");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.out()).contains("cli-fail-1 FAILED render-failed").contains("1 failed");

    Run status = cli("status", "cli-fail-1", "--json");
    assertThat(status.exit()).isEqualTo(ExitCodes.FAILED);
    JsonNode line = status.jsonLines().get(0);
    assertThat(line.get("state").asText()).isEqualTo("FAILED");
    assertThat(line.at("/event/error/code").asText()).isEqualTo("render-failed");
  }

  @Test
  void invalidInputExitsWithTwo() throws Exception {
    Run badSize = cli("submit", "x", "--size", "100x100", "--job-id", "cli-bad-1");
    assertThat(badSize.exit()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(badSize.err()).contains("invalid input").contains("width");
    Run badFlag = cli("submit", "x", "--steps", "many");
    assertThat(badFlag.exit()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(stack.worker.timesReceived("cli-bad-1")).isZero();
  }

  @Test
  void silentJobTimesOutWithThree() throws Exception {
    Run run =
        cli("submit", "silent please", "--job-id", "cli-silent-1", "--wait", "--timeout", "2s");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(run.out()).contains("cli-silent-1 TIMED-OUT");
    Run status = cli("status", "cli-never-submitted");
    assertThat(status.exit()).isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(status.out()).contains("no status event found");
  }

  @Test
  void unreachableBrokerExitsWithFour() throws Exception {
    Run run = cli("submit", "x", "--bootstrap", "127.0.0.1:1", "--connect-timeout", "2s", "--wait");
    assertThat(run.exit()).isEqualTo(ExitCodes.INFRASTRUCTURE);
    assertThat(run.err()).contains("infrastructure error").contains("unreachable");
  }

  @Test
  void jsonFileSubmissionWithControlAndWatch() throws Exception {
    Path control = dir.resolve("edges.png");
    Files.write(control, StandInWorker.png(64, 64, 9));
    Path jobs = dir.resolve("jobs.jsonl");
    Files.writeString(
        jobs,
        """
        {"jobId": "cli-file-1", "prompt": "first", "width": 256, "height": 256}
        {"jobId": "cli-file-2", "prompt": "second dup", "width": 512, "height": 256, "steps": 1}
        """);
    Run run =
        cli(
            "submit",
            "--file",
            jobs.toString(),
            "--control",
            control.toString(),
            "--control-type",
            "edges",
            "--bucket",
            "renders",
            "--json",
            "--wait");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.OK);
    List<JsonNode> lines = run.jsonLines();
    assertThat(lines).allSatisfy(l -> assertThat(l.has("type")).isTrue());
    assertThat(lines)
        .filteredOn(l -> l.get("type").asText().equals("status"))
        .extracting(l -> l.get("jobId").asText() + ":" + l.get("state").asText())
        .containsSubsequence("cli-file-1:ACCEPTED", "cli-file-1:STARTED", "cli-file-1:SUCCEEDED")
        .containsSubsequence("cli-file-2:ACCEPTED", "cli-file-2:STARTED", "cli-file-2:SUCCEEDED")
        .doesNotHaveDuplicates();
    JsonNode summary = lines.get(lines.size() - 1);
    assertThat(summary.get("type").asText()).isEqualTo("summary");
    assertThat(summary.get("succeeded").asInt()).isEqualTo(2);

    Run watch =
        cli("watch", "--since", "10m", "--job", "cli-file-2", "--max-events", "2", "--json");
    assertThat(watch.exit()).as(watch.err()).isEqualTo(ExitCodes.OK);
    assertThat(watch.jsonLines())
        .hasSize(2)
        .allSatisfy(l -> assertThat(l.get("jobId").asText()).isEqualTo("cli-file-2"));
  }

  @Test
  void statusWithoutEventsPointsAtImagesThatSurvivedTheHistory() throws Exception {
    // What an embedded worker leaves after a restart: images in S3, an empty status topic.
    stack.s3Client.putObject(
        PutObjectRequest.builder()
            .bucket(EmbeddedStack.BUCKET)
            .key("images/cli-gone-1/0.png")
            .build(),
        RequestBody.fromBytes(new byte[] {1, 2, 3}));
    Run gone = cli("status", "cli-gone-1");
    assertThat(gone.exit()).isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(gone.out().lines())
        .as(gone.err())
        .containsExactly(
            "cli-gone-1 no status event found",
            "  its status history is gone (an embedded broker starts empty after a restart), but"
                + " its images exist: s3://renders/images/cli-gone-1/0.png");

    Run never = cli("status", "cli-never-1");
    assertThat(never.exit()).isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(never.out().lines()).containsExactly("cli-never-1 no status event found");
    assertThat(never.err()).isEmpty();
  }

  @Test
  void downloadWithoutS3CredentialsNamesTheVariablesBeforeSendingAnything() throws Exception {
    Run run =
        cli(
            Map.of(
                "PIXART_S3_ACCESS_KEY", "",
                "PIXART_S3_SECRET_KEY", "",
                "AWS_ACCESS_KEY_ID", "",
                "AWS_SECRET_ACCESS_KEY", "",
                "AWS_PROFILE", "",
                // No credentials file and no instance metadata: the chain has nothing to find.
                "HOME", dir.toString(),
                "AWS_EC2_METADATA_DISABLED", "true"),
            "submit",
            "a cat",
            "--job-id",
            "cli-no-creds-1",
            "--download",
            dir.resolve("out").toString());
    assertThat(run.exit()).isEqualTo(ExitCodes.INFRASTRUCTURE);
    assertThat(run.err().lines())
        .containsExactly(
            "infrastructure error: no S3 credentials: set PIXART_S3_ACCESS_KEY and"
                + " PIXART_S3_SECRET_KEY (the worker's embedded mode prints them), or AWS"
                + " credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile or an"
                + " instance role); a non-AWS store also needs PIXART_S3_ENDPOINT (or"
                + " --s3-endpoint)");
    assertThat(run.out()).isEmpty(); // nothing was sent
  }

  @Test
  void loadgenReportsThroughputLatencyAndFailures() throws Exception {
    Path mix = dir.resolve("mix.json");
    Files.writeString(
        mix,
        """
        [{"name": "square", "weight": 3, "width": 256, "height": 256, "steps": 2},
         {"name": "wide", "weight": 1, "width": 512, "height": 256, "numImages": 2},
         {"name": "broken", "weight": 1, "prompt": "fail on purpose"}]
        """);
    Run run =
        cli(
            "loadgen",
            "--rate",
            "10",
            "--duration",
            "2s",
            "--mix",
            mix.toString(),
            "--random-seed",
            "7",
            "--timeout",
            "60s",
            "--json");
    assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.FAILED);
    JsonNode report = run.jsonLines().get(0);
    assertThat(report.get("jobs").asInt()).isEqualTo(20);
    int failed = report.get("failed").asInt();
    assertThat(failed).isPositive();
    assertThat(report.get("succeeded").asInt() + failed).isEqualTo(20);
    assertThat(report.at("/failuresByCode/render-failed").asInt()).isEqualTo(failed);
    assertThat(report.get("latencyP50Ms").asLong())
        .isLessThanOrEqualTo(report.get("latencyP90Ms").asLong());
    assertThat(report.get("latencyP90Ms").asLong())
        .isLessThanOrEqualTo(report.get("latencyP99Ms").asLong());
    assertThat(report.get("throughputJobsPerSecond").asDouble()).isPositive();
    assertThat(report.get("throughputWindow").asText()).isIn("steady", "whole-run");
    assertThat(report.get("throughputWindowSeconds").asDouble()).isPositive();
    assertThat(report.get("achievedRate").asDouble()).isBetween(5.0, 15.0);
  }
}
