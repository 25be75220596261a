package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.OutputSpec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.kafka.DeadLetterPublisher;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.render.FakeRenderer;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.storage.S3Uri;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The whole job path on a real in-process Kafka broker and S3 server (no mocks of either): jobs in,
 * images in S3, status events out, offsets committed. The renderer comes from {@link
 * E2EStack#renderer()} (the test {@link FakeRenderer} unless a system property names another), and
 * every check reads only Kafka and S3, so the same suite runs on the real pipeline.
 */
class WorkerE2ETest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int[][] SHAPES = {{256, 256}, {320, 256}, {256, 384}};
  private static E2EStack stack;

  @BeforeAll
  static void startServers() {
    stack = new E2EStack();
  }

  @AfterAll
  static void stopServers() {
    stack.close();
  }

  @Test
  void fiftyJobsOfThreeShapesSucceedAndARestartReprocessesNothing() throws Exception {
    String name = "fifty";
    WorkerOptions options = stack.options(name, "e2e-fifty-1");
    Map<String, RenderJob> jobs = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      int[] shape = SHAPES[i % SHAPES.length];
      RenderJob job =
          RenderJob.builder("job-" + i, "prompt " + i)
              .size(shape[0], shape[1])
              .steps(2)
              .seed((long) i)
              .priority(i % 5)
              .build();
      jobs.put(job.jobId(), job);
      stack.send(name, job);
    }

    Map<String, StatusEvent> terminal;
    try (Renderer renderer = E2EStack.renderer();
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Worker worker = Worker.start(options, renderer)) {
      terminal = statuses.awaitTerminal(jobs.keySet(), TIMEOUT);
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
      assertThat(worker.failure()).isNull();
    }

    assertThat(terminal).hasSize(50);
    try (S3Client s3 = stack.s3Client(options)) {
      for (RenderJob job : jobs.values()) {
        StatusEvent event = terminal.get(job.jobId());
        assertThat(event.state()).as(job.jobId()).isEqualTo(JobState.SUCCEEDED);
        assertThat(event.results()).hasSize(1);
        ImageResult result = event.results().get(0);
        byte[] bytes = read(s3, result.uri());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(image.getWidth()).isEqualTo(job.width());
        assertThat(image.getHeight()).isEqualTo(job.height());
        assertThat(result.width()).isEqualTo(job.width());
        assertThat(result.height()).isEqualTo(job.height());
        assertThat(result.seed()).isEqualTo(job.seed());
        assertThat(result.bytes()).isEqualTo(bytes.length);
        assertThat(result.sha256()).isEqualTo(sha256(bytes));
        assertThat(result.uri()).isEqualTo("s3://renders/fifty/" + job.jobId() + "/0.png");
      }
      List<S3Object> objects =
          s3.listObjectsV2(b -> b.bucket(E2EStack.BUCKET).prefix(name + "/")).contents();
      assertThat(objects).hasSize(50);
    }
    // Batches never mix shapes and never exceed the maximum size; full batches do form.
    Map<String, List<String>> batches = new LinkedHashMap<>();
    for (StatusEvent event : terminal.values()) {
      batches.computeIfAbsent(event.batchId(), b -> new ArrayList<>()).add(event.jobId());
      assertThat(event.batchSize()).isBetween(1, 4);
    }
    for (List<String> batch : batches.values()) {
      assertThat(batch.stream().map(id -> shapeOf(jobs.get(id))).distinct()).hasSize(1);
      assertThat(terminal.get(batch.get(0)).batchSize()).isEqualTo(batch.size());
    }
    assertThat(batches.values().stream().mapToInt(List::size).max().orElse(0)).isEqualTo(4);
    assertAllCommitted(name);

    // A new worker in the same group finds nothing to do.
    try (Renderer renderer = E2EStack.renderer();
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Worker restarted = Worker.start(stack.options(name, "e2e-fifty-2"), renderer)) {
      int before = statuses.pollFor(Duration.ofSeconds(1)).size();
      awaitAssignment(restarted);
      List<StatusEvent> after = statuses.pollFor(Duration.ofSeconds(2));
      assertThat(restarted.consumerLoop().recordsReceived()).isZero();
      assertThat(after).hasSize(before);
    }
  }

  @Test
  void invalidMessagesAreDeadLetteredAndFailWithoutStoppingTheWorker() throws Exception {
    String name = "invalid";
    WorkerOptions options = stack.options(name, "e2e-invalid");
    byte[] notJson = "this is { not json".getBytes(StandardCharsets.UTF_8);
    byte[] schemaInvalid =
        ("{\"schemaVersion\":1,\"jobId\":\"bad-steps\",\"prompt\":\"x\",\"steps\":99,"
                + "\"submittedAt\":\"2026-01-01T00:00:00Z\"}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] futureVersion =
        ("{\"schemaVersion\":2,\"jobId\":\"from-the-future\",\"prompt\":\"x\","
                + "\"submittedAt\":\"2026-01-01T00:00:00Z\"}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0, 1};

    List<String> valid = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      valid.add("ok-" + i);
    }
    stack.send(name, small(valid.get(0)));
    stack.sendRaw(name, "broken-json", notJson);
    stack.send(name, small(valid.get(1)));
    stack.sendRaw(name, "bad-steps", schemaInvalid);
    stack.send(name, small(valid.get(2)));
    stack.sendRaw(name, null, garbage);
    stack.sendRaw(name, "from-the-future", futureVersion);
    stack.send(name, small(valid.get(3)));

    List<String> expected = new ArrayList<>(valid);
    expected.addAll(List.of("broken-json", "bad-steps", "from-the-future"));
    Map<String, StatusEvent> terminal;
    List<ConsumerRecord<byte[], byte[]>> deadLetters;
    try (Renderer renderer = E2EStack.renderer();
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        StatusCollector dlt =
            StatusCollector.raw(stack.kafka.bootstrapServers(), E2EStack.deadLetterTopic(name));
        Worker worker = Worker.start(options, renderer)) {
      terminal = statuses.awaitTerminal(expected, TIMEOUT);
      deadLetters = dlt.awaitRecords(4, TIMEOUT);
      List<StatusEvent> anonymous =
          statuses
              .awaitEvents(
                  seen -> seen.stream().anyMatch(e -> e.jobId().startsWith("unreadable-")), TIMEOUT)
              .stream()
              .filter(e -> e.jobId().startsWith("unreadable-"))
              .toList();
      assertThat(anonymous).hasSize(1);
      assertThat(anonymous.get(0).jobId()).matches("unreadable-invalid-jobs-\\d-\\d+");
      assertFailed(anonymous.get(0), ErrorCodes.INVALID_JSON);
      assertThat(worker.failure()).isNull();
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
    }

    for (String id : valid) {
      assertThat(terminal.get(id).state()).as(id).isEqualTo(JobState.SUCCEEDED);
    }
    assertFailed(terminal.get("broken-json"), ErrorCodes.INVALID_JSON);
    assertFailed(terminal.get("bad-steps"), ErrorCodes.SCHEMA_INVALID);
    assertFailed(terminal.get("from-the-future"), ErrorCodes.SCHEMA_INVALID);

    assertThat(deadLetters).hasSize(4);
    Map<String, byte[]> originals =
        Map.of(
            ErrorCodes.INVALID_JSON + ":broken-json", notJson,
            ErrorCodes.SCHEMA_INVALID + ":bad-steps", schemaInvalid,
            ErrorCodes.INVALID_JSON + ":null", garbage,
            ErrorCodes.SCHEMA_INVALID + ":from-the-future", futureVersion);
    for (ConsumerRecord<byte[], byte[]> record : deadLetters) {
      String key = record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8);
      String code = header(record, DeadLetterPublisher.ERROR_CODE);
      assertThat(originals).containsKey(code + ":" + key);
      assertThat(record.value()).isEqualTo(originals.get(code + ":" + key));
      assertThat(header(record, DeadLetterPublisher.SOURCE_TOPIC))
          .isEqualTo(E2EStack.jobsTopic(name));
      assertThat(header(record, DeadLetterPublisher.SOURCE_OFFSET)).matches("\\d+");
      assertThat(header(record, DeadLetterPublisher.ERROR_REASON)).isNotBlank();
    }
    assertAllCommitted(name);
  }

  @Test
  void controlJobsFailUnsupportedExpiredJobsExpireAndForeignBucketsAreRefused() throws Exception {
    String name = "rules";
    WorkerOptions options = stack.options(name, "e2e-rules");
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(FakeRenderer.gradient(16, 16, 3), "png", png);
    stack.send(
        name,
        RenderJob.builder("with-control", "edges")
            .control(ControlSpec.inlinePng(png.toByteArray(), ControlType.HED, 1.0))
            .build());
    stack.send(
        name, RenderJob.builder("too-late", "x").deadline(Instant.now().minusSeconds(60)).build());
    stack.send(
        name,
        RenderJob.builder("in-time", "x")
            .size(256, 256)
            .deadline(Instant.now().plusSeconds(600))
            .build());
    stack.send(
        name,
        RenderJob.builder("elsewhere", "x").output(OutputSpec.png("not-my-bucket", null)).build());

    Map<String, StatusEvent> terminal;
    List<StatusEvent> all;
    try (Renderer renderer = E2EStack.renderer();
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Worker worker = Worker.start(options, renderer)) {
      terminal =
          statuses.awaitTerminal(
              List.of("with-control", "too-late", "in-time", "elsewhere"), TIMEOUT);
      all = statuses.pollFor(Duration.ofMillis(200));
      assertThat(worker.failure()).isNull();
    }

    assertFailed(terminal.get("with-control"), ErrorCodes.UNSUPPORTED_FEATURE);
    assertThat(terminal.get("too-late").state()).isEqualTo(JobState.EXPIRED);
    assertThat(terminal.get("too-late").error().code()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
    assertThat(terminal.get("in-time").state()).isEqualTo(JobState.SUCCEEDED);
    assertFailed(terminal.get("elsewhere"), ErrorCodes.OUTPUT_NOT_ALLOWED);
    assertThat(all.stream().filter(e -> e.jobId().equals("in-time")).map(StatusEvent::state))
        .containsExactly(JobState.ACCEPTED, JobState.STARTED, JobState.SUCCEEDED);
    // The refused jobs were never rendered: no STARTED event.
    assertThat(all)
        .filteredOn(e -> e.state() == JobState.STARTED)
        .extracting(StatusEvent::jobId)
        .containsExactly("in-time");
    assertAllCommitted(name);
  }

  private static RenderJob small(String id) {
    return RenderJob.builder(id, "small " + id).size(256, 256).steps(1).build();
  }

  private static String shapeOf(RenderJob job) {
    return job.width() + "x" + job.height();
  }

  private static void assertFailed(StatusEvent event, String code) {
    assertThat(event.state()).as(event.jobId()).isEqualTo(JobState.FAILED);
    assertThat(event.error().code()).as(event.jobId()).isEqualTo(code);
    assertThat(event.results()).isEmpty();
  }

  private static void assertAllCommitted(String name) throws Exception {
    Map<?, E2EStack.Position> positions =
        stack.committedVsEnd(name + "-workers", E2EStack.jobsTopic(name));
    for (E2EStack.Position position : positions.values()) {
      if (position.end() > 0) {
        assertThat(position.committed()).isEqualTo(position.end());
      }
    }
  }

  private static void awaitAssignment(Worker worker) throws InterruptedException {
    long end = System.nanoTime() + TIMEOUT.toNanos();
    while (worker.consumerLoop().assignment().size() < E2EStack.PARTITIONS) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the restarted worker got no assignment");
      }
      Thread.sleep(20);
    }
  }

  private static byte[] read(S3Client s3, String uri) {
    S3Uri location = S3Uri.parse(uri);
    return s3.getObjectAsBytes(b -> b.bucket(location.bucket()).key(location.key())).asByteArray();
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
