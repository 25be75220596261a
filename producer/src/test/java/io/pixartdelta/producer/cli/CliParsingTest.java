package io.pixartdelta.producer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.schemas.ImageFormat;
import io.pixartdelta.schemas.RenderJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** Flag parsing and job building of the CLI, without Kafka. */
class CliParsingTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir Path dir;

  private static SubmitCommand parseSubmit(String... args) {
    SubmitCommand cmd = new SubmitCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd;
  }

  @Test
  void durationsAcceptShortAndIsoForms() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(DurationConverter.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> DurationConverter.parse("soon"))
        .isInstanceOf(TypeConversionException.class);
  }

  @Test
  void sizesParse() {
    assertThat(Size.parse("1024x768")).isEqualTo(new Size(1024, 768));
    assertThatThrownBy(() -> Size.parse("1024")).isInstanceOf(TypeConversionException.class);
  }

  @Test
  void promptsBecomeJobsWithFlagsAndConsecutiveSeeds() throws IOException {
    SubmitCommand cmd =
        parseSubmit(
            "a cat",
            "a dog",
            "--count",
            "2",
            "--size",
            "512x768",
            "--steps",
            "2",
            "--seed",
            "40",
            "--priority",
            "5",
            "--bucket",
            "renders",
            "--prefix",
            "cli/out",
            "--format",
            "jpeg",
            "--job-id",
            "batch7",
            "--meta",
            "team=art");
    List<RenderJob> jobs = cmd.buildJobs(NOW);
    assertThat(jobs)
        .extracting(RenderJob::jobId)
        .containsExactly("batch7-1", "batch7-2", "batch7-3", "batch7-4");
    assertThat(jobs)
        .extracting(RenderJob::prompt)
        .containsExactly("a cat", "a cat", "a dog", "a dog");
    assertThat(jobs).extracting(RenderJob::seed).containsExactly(40L, 41L, 40L, 41L);
    RenderJob first = jobs.get(0);
    assertThat(first.width()).isEqualTo(512);
    assertThat(first.height()).isEqualTo(768);
    assertThat(first.steps()).isEqualTo(2);
    assertThat(first.priority()).isEqualTo(5);
    assertThat(first.output().bucket()).isEqualTo("renders");
    assertThat(first.output().prefix()).isEqualTo("cli/out");
    assertThat(first.output().format()).isEqualTo(ImageFormat.JPEG);
    assertThat(first.metadata()).containsEntry("team", "art");
    assertThat(first.submittedAt()).isEqualTo(NOW);
  }

  @Test
  void singleJobUsesTheGivenIdVerbatim() throws IOException {
    assertThat(parseSubmit("x", "--job-id", "my-job").buildJobs(NOW))
        .singleElement()
        .extracting(RenderJob::jobId)
        .isEqualTo("my-job");
  }

  @Test
  void fileLinesKeepTheirFieldsAndFlagsFillTheRest() throws IOException {
    Path file = dir.resolve("jobs.jsonl");
    Files.writeString(
        file,
        """
        {"jobId": "f-1", "prompt": "from file", "steps": 3, "output": {"prefix": "mine"}}

        {"prompt": "second", "width": 256, "height": 256}
        """);
    List<RenderJob> jobs =
        parseSubmit("--file", file.toString(), "--steps", "1", "--bucket", "renders")
            .buildJobs(NOW);
    assertThat(jobs).hasSize(2);
    assertThat(jobs.get(0).jobId()).isEqualTo("f-1");
    assertThat(jobs.get(0).steps()).isEqualTo(3);
    assertThat(jobs.get(0).output().prefix()).isEqualTo("mine");
    assertThat(jobs.get(0).output().bucket()).isEqualTo("renders");
    assertThat(jobs.get(1).steps()).isEqualTo(1);
    assertThat(jobs.get(1).width()).isEqualTo(256);
    assertThat(jobs.get(1).jobId()).startsWith("cli-").endsWith("-2");
  }

  @Test
  void invalidJobsNameTheirOriginAndTheField() throws IOException {
    assertThatThrownBy(() -> parseSubmit("x", "--size", "100x100").buildJobs(NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompt 'x'")
        .hasMessageContaining("width");
    assertThatThrownBy(() -> parseSubmit("x", "--steps", "9").buildJobs(NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("steps");
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"prompt\": \"ok\"}\nnot json\n");
    assertThatThrownBy(() -> parseSubmit("--file", file.toString()).buildJobs(NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2");
    Files.writeString(file, "{\"jobId\": \"d\"}\n{\"jobId\": \"d\"}\n");
    assertThatThrownBy(() -> parseSubmit("--file", file.toString()).buildJobs(NOW))
        .hasMessageContaining("duplicate jobId d");
    assertThatThrownBy(() -> parseSubmit().buildJobs(NOW)).hasMessageContaining("PROMPT");
  }

  @Test
  void mixFilesParseAsArrayOrJsonLinesAndPickByWeight() throws IOException {
    Path array = dir.resolve("mix.json");
    Files.writeString(
        array,
        """
        [{"name": "big", "weight": 1, "width": 1024, "height": 1024},
         {"name": "small", "weight": 3, "width": 256, "height": 256, "steps": 2}]
        """);
    LoadMix mix = LoadMix.read(array);
    assertThat(mix.templates()).extracting(LoadMix.Template::name).containsExactly("big", "small");
    assertThat(mix.templates().get(0).job().has("weight")).isFalse();
    Random random = new Random(1);
    int small = 0;
    for (int i = 0; i < 4000; i++) {
      if (mix.pick(random).name().equals("small")) {
        small++;
      }
    }
    assertThat(small / 4000.0).isBetween(0.70, 0.80);

    Path lines = dir.resolve("mix.jsonl");
    Files.writeString(lines, "{\"steps\": 1}\n{\"steps\": 2, \"controlFile\": \"edge.png\"}\n");
    LoadMix fromLines = LoadMix.read(lines);
    assertThat(fromLines.templates()).hasSize(2);
    assertThat(fromLines.templates().get(1).controlFile()).isEqualTo(dir.resolve("edge.png"));

    Files.writeString(lines, "{\"weight\": 0}\n");
    assertThatThrownBy(() -> LoadMix.read(lines)).hasMessageContaining("positive weight");
  }

  @Test
  void exitCodesFollowTheWorstOutcome() {
    Tally t = new Tally();
    assertThat(t.exitCode()).isEqualTo(ExitCodes.OK);
    t.add(new io.pixartdelta.producer.JobResult(CliEvents.failed("a")));
    assertThat(t.exitCode()).isEqualTo(ExitCodes.FAILED);
    t.addTimeout();
    assertThat(t.exitCode()).isEqualTo(ExitCodes.TIMED_OUT);
    t.addError();
    assertThat(t.exitCode()).isEqualTo(ExitCodes.INFRASTRUCTURE);
    assertThat(t.failuresByCode()).containsEntry("render-failed", 1);
  }

  @Test
  void usageErrorsExitWithTwo() {
    CommandLine cli = ProducerMain.commandLine();
    cli.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
    cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
    assertThat(cli.execute("submit", "--size", "huge", "x")).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.execute("nosuchcommand")).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.execute("loadgen", "--duration", "1s")).isEqualTo(ExitCodes.INVALID_INPUT);
    // Open and closed loop exclude each other; both are checked before connecting.
    assertThat(cli.execute("loadgen", "--rate", "1", "--in-flight", "2", "--duration", "1s"))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.execute("loadgen", "--in-flight", "0", "--duration", "1s"))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.execute("loadgen", "--in-flight", "4", "--duration", "1s", "--jobs", "0"))
        .isEqualTo(ExitCodes.INVALID_INPUT);
  }

  @Test
  void cancelTakesJobIdsAndARefusedIdExitsWithTwoBeforeConnecting() {
    CancelCommand cmd = new CancelCommand();
    new CommandLine(cmd).parseArgs("job-1", "job-2", "--reason", "superseded");
    assertThat(cmd.jobIds).containsExactly("job-1", "job-2");
    assertThat(cmd.reason).isEqualTo("superseded");

    CommandLine cli = ProducerMain.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
    cli.setErr(new java.io.PrintWriter(err));
    assertThat(cli.execute("cancel")).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.execute("cancel", "ok-1", "../../etc")).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(err.toString()).contains("jobId");
  }
}
