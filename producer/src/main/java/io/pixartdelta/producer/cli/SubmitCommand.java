package io.pixartdelta.producer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pixartdelta.producer.InfrastructureException;
import io.pixartdelta.producer.JobResult;
import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.producer.RenderClientBuilder;
import io.pixartdelta.producer.SubmitOptions;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.RenderJob;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code submit}: prompts or a JSONL file of jobs → Kafka; optionally wait, download. */
@Command(
    name = "submit",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Submit render jobs: one per PROMPT (times --count) and/or one per line of --file.",
      "Without --wait, exits once Kafka acknowledged every job."
    })
final class SubmitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "Prompts, one job each.")
  List<String> prompts = new ArrayList<>();

  @Option(
      names = "--file",
      paramLabel = "JOBS.jsonl",
      description =
          "One render job per line as JSON (any subset of the render-job fields; jobId,"
              + " schemaVersion and submittedAt are filled in). '-' reads stdin."
              + " Flags fill the fields a line leaves out.")
  Path file;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "1",
      description = "Jobs per prompt (default 1).")
  int count;

  @Option(
      names = "--job-id",
      paramLabel = "ID",
      description =
          "Job id for a single job, or the id prefix (ID-1, ID-2, ...) for several."
              + " Resubmitting an id never renders it twice.")
  String jobId;

  @Mixin JobFlags flags;

  @Option(
      names = "--control",
      paramLabel = "FILE",
      description = "Control image (PNG/JPEG) uploaded to S3 and used by every job without one.")
  Path control;

  @Option(
      names = "--control-type",
      paramLabel = "TYPE",
      defaultValue = "hed",
      description = "edges, hed or canny (default: ${DEFAULT-VALUE}).")
  String controlType;

  @Option(
      names = "--control-scale",
      paramLabel = "S",
      defaultValue = "1.0",
      description = "Control strength 0..2 (default: ${DEFAULT-VALUE}).")
  double controlScale;

  @Option(
      names = "--control-bucket",
      paramLabel = "BUCKET",
      description = "Bucket for the control upload (default: --bucket).")
  String controlBucket;

  @Option(
      names = "--wait",
      description = "Follow status events until every job is terminal and print the results.")
  boolean wait;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "10m",
      description = "With --wait: per-job time to a terminal status (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--download",
      paramLabel = "DIR",
      description = "Download the images of successful jobs into DIR (implies --wait).")
  Path download;

  @Option(
      names = "--look-back",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "10m",
      description =
          "How far back to look for earlier submissions of the same job ids"
              + " (default: ${DEFAULT-VALUE}; 0s disables).")
  Duration lookBack;

  @Option(names = "--json", description = "Machine-readable output: one JSON object per line.")
  boolean json;

  @Option(names = "--plain", description = "Plain lines even on a terminal (no progress bar).")
  boolean plain;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    List<RenderJob> jobs;
    ControlType type;
    try {
      jobs = buildJobs(Instant.now());
      type = ControlType.fromWire(controlType);
      checkControl();
    } catch (IllegalArgumentException | IOException e) {
      err.println("invalid input: " + ExitCodes.describe(e));
      return ExitCodes.INVALID_INPUT;
    }
    boolean follow = wait || download != null;
    RenderClientBuilder builder =
        RenderClient.builder(connection.bootstrap)
            .jobsTopic(connection.jobsTopic)
            .statusTopic(connection.statusTopic)
            .clientId("pixart-cli")
            .connectTimeout(connection.connectTimeout)
            .statusLookBack(lookBack)
            .defaultTimeout(timeout);
    if (control != null || download != null) {
      builder.s3(connection.s3(control == null ? null : controlBucketName(), null));
    }
    try (RenderClient client = builder.build();
        Reporter reporter = reporter(jobs.size(), follow)) {
      client.ready().join();
      if (control != null || download != null) {
        client.requireS3Credentials(); // before any job is sent
      }
      if (control != null) {
        ControlSpec spec = client.uploadControlImage(control, type, controlScale);
        List<RenderJob> withControl = new ArrayList<>();
        for (RenderJob job : jobs) {
          withControl.add(job.control() == null ? job.withControl(spec) : job);
        }
        jobs = withControl;
      }
      return follow ? submitAndWait(client, jobs, reporter) : sendOnly(client, jobs, reporter);
    } catch (CompletionException e) {
      if (e.getCause() instanceof InfrastructureException infra) {
        throw infra;
      }
      throw e;
    }
  }

  private int sendOnly(RenderClient client, List<RenderJob> jobs, Reporter reporter) {
    List<CompletableFuture<Boolean>> acks = new ArrayList<>();
    for (RenderJob job : jobs) {
      acks.add(client.send(job));
    }
    int exit = ExitCodes.OK;
    for (int i = 0; i < jobs.size(); i++) {
      String id = jobs.get(i).jobId();
      try {
        reporter.sent(id, acks.get(i).get());
      } catch (ExecutionException e) {
        reporter.error(id, e.getCause());
        exit = ExitCodes.INFRASTRUCTURE;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitCodes.INFRASTRUCTURE;
      }
    }
    return exit;
  }

  private int submitAndWait(RenderClient client, List<RenderJob> jobs, Reporter reporter) {
    SubmitOptions options =
        SubmitOptions.defaults().withTimeout(timeout).withListener(reporter::status);
    List<CompletableFuture<JobResult>> futures = client.submitAll(jobs, options);
    Tally tally = new Tally();
    List<JobResult> succeeded = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      String id = jobs.get(i).jobId();
      try {
        JobResult result = futures.get(i).get();
        tally.add(result);
        if (result.succeeded()) {
          succeeded.add(result);
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof JobTimeoutException t) {
          reporter.timedOut(t);
          tally.addTimeout();
        } else {
          reporter.error(id, e.getCause());
          tally.addError();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        tally.addError();
        break;
      }
    }
    if (download != null) {
      for (JobResult result : succeeded) {
        try {
          for (Path file : client.download(result, download)) {
            reporter.downloaded(result.jobId(), file);
          }
        } catch (InfrastructureException e) {
          reporter.error(result.jobId(), e);
          tally.addError();
        }
      }
    }
    reporter.summary(jobs.size(), tally);
    return tally.exitCode();
  }

  private Reporter reporter(int jobs, boolean follow) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      return new JsonReporter(out);
    }
    if (follow && !plain && Terminal.attached()) {
      return new ProgressBarReporter(out, jobs);
    }
    return new PlainReporter(out);
  }

  /** Jobs from the prompts and the file, validated; throws for the first invalid one. */
  List<RenderJob> buildJobs(Instant now) throws IOException {
    if (prompts.isEmpty() && file == null) {
      throw new IllegalArgumentException("give at least one PROMPT or --file");
    }
    if (count < 1 || count > 10_000) {
      throw new IllegalArgumentException("--count must be 1..10000, got " + count);
    }
    ObjectNode defaults = flags.defaults(now);
    List<ObjectNode> partials = new ArrayList<>();
    List<String> origins = new ArrayList<>();
    for (String prompt : prompts) {
      for (int i = 0; i < count; i++) {
        ObjectNode partial = JsonReporter.MAPPER.createObjectNode().put("prompt", prompt);
        if (flags.seed != null) {
          partial.put("seed", flags.seed + i);
        }
        partials.add(partial);
        origins.add("prompt '" + abbreviate(prompt) + "'");
      }
    }
    if (file != null) {
      readFile(partials, origins);
    }
    String prefix = jobId != null ? jobId : JobIds.newPrefix("cli", now);
    boolean single = partials.size() == 1 && jobId != null;
    List<RenderJob> jobs = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < partials.size(); i++) {
      String id = single ? jobId : prefix + "-" + (i + 1);
      RenderJob job;
      try {
        job = JobTemplate.build(partials.get(i), defaults, id, now);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(origins.get(i) + ": " + e.getMessage(), e);
      }
      if (!ids.add(job.jobId())) {
        throw new IllegalArgumentException(origins.get(i) + ": duplicate jobId " + job.jobId());
      }
      jobs.add(job);
    }
    return jobs;
  }

  private void readFile(List<ObjectNode> partials, List<String> origins) throws IOException {
    try (BufferedReader reader =
        "-".equals(file.toString())
            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            : Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        String origin = file + " line " + number;
        JsonNode node;
        try {
          node = JsonReporter.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException(
              origin + ": not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!(node instanceof ObjectNode object)) {
          throw new IllegalArgumentException(origin + ": expected a JSON object");
        }
        partials.add(object);
        origins.add(origin);
      }
    }
  }

  private void checkControl() {
    if (control == null) {
      return;
    }
    if (!Files.isReadable(control) || Files.isDirectory(control)) {
      throw new IllegalArgumentException("--control: cannot read file " + control);
    }
    if (controlBucketName() == null) {
      throw new IllegalArgumentException("--control needs --control-bucket or --bucket");
    }
    if (controlScale < 0 || controlScale > 2) {
      throw new IllegalArgumentException("--control-scale must be 0..2, got " + controlScale);
    }
  }

  private String controlBucketName() {
    return controlBucket != null ? controlBucket : flags.bucket;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
