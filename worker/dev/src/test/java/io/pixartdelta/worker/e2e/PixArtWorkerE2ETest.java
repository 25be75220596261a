package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.nn.torchscript.TorchScriptKernels;
import io.pixartdelta.pixart.pipeline.ControlNetFiles;
import io.pixartdelta.pixart.pipeline.ModelDirectory;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.render.PixArtRenderer;
import io.pixartdelta.worker.storage.S3Uri;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole job path with the real PixArt-δ pipeline (tiny checkpoint in the real layout, fused
 * kernels, CPU): 50 jobs of three shapes through a real in-process Kafka broker and S3 server, with
 * unreadable messages interleaved; then a restarted worker finds nothing to redo.
 */
class PixArtWorkerE2ETest {
  private static final Duration TIMEOUT = Duration.ofMinutes(8);
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
  void controlJobsWithAnUploadedEdgeMapAndAPhotoThroughHedRenderAlongsidePlainJobs(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    String name = "control";
    WorkerOptions options = stack.options(name, "control-e2e");
    byte[] edges = io.pixartdelta.pixart.TestImages.edgeMapPng(300, 260);
    try (S3Client s3 = stack.s3Client(options)) {
      s3.putObject(
          b -> b.bucket(E2EStack.BUCKET).key("inputs/edges.png"),
          software.amazon.awssdk.core.sync.RequestBody.fromBytes(edges));
    }
    byte[] photo = io.pixartdelta.pixart.TestImages.photoPng(320, 240);
    List<RenderJob> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      RenderJob.Builder b =
          RenderJob.builder("ctl-" + i, "a house by the sea")
              .size(256, 256)
              .binning(false)
              .steps(2)
              .seed((long) i);
      if (i % 3 == 0) {
        b.control(
            ControlSpec.of("s3://" + E2EStack.BUCKET + "/inputs/edges.png", ControlType.EDGES));
      } else if (i % 3 == 1) {
        b.control(ControlSpec.inlinePng(photo, ControlType.HED, 1.0));
      }
      jobs.add(b.build());
    }
    // A control image that does not exist fails alone with a stable code.
    jobs.add(
        RenderJob.builder("ctl-missing", "x")
            .size(256, 256)
            .binning(false)
            .steps(1)
            .control(
                ControlSpec.of("s3://" + E2EStack.BUCKET + "/inputs/nope.png", ControlType.EDGES))
            .build());
    jobs.forEach(j -> stack.send(name, j));

    java.nio.file.Path hed =
        io.pixartdelta.pixart.control.TinyHedWriter.write(dir.resolve("hed.safetensors"), 1);
    PipelineOptions pipelineOptions = PipelineOptions.cpuReference();
    PixArtPipeline pipeline =
        PixArtPipeline.load(
            ModelDirectory.open(Fixtures.tinyModel()),
            pipelineOptions,
            new ControlNetFiles(Fixtures.path("controlnet/adapter"), hed));
    Map<String, StatusEvent> terminal;
    try (StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        PixArtRenderer renderer = new PixArtRenderer(pipeline);
        Worker worker = Worker.start(options, renderer)) {
      terminal = statuses.awaitTerminal(jobs.stream().map(RenderJob::jobId).toList(), TIMEOUT);
      assertThat(worker.failure()).isNull();
    }
    for (int i = 0; i < 6; i++) {
      StatusEvent e = terminal.get("ctl-" + i);
      assertThat(e.state()).as(e.jobId() + " " + e.error()).isEqualTo(JobState.SUCCEEDED);
      assertThat(e.results().get(0).width()).isEqualTo(256);
    }
    assertThat(terminal.get("ctl-missing").state()).isEqualTo(JobState.FAILED);
    assertThat(terminal.get("ctl-missing").error().code())
        .isIn(ErrorCodes.CONTROL_IMAGE_NOT_FOUND, ErrorCodes.CONTROL_IMAGE_INVALID);
    // The same seed with and without the edge map gives different images.
    assertThat(terminal.get("ctl-0").results().get(0).sha256())
        .isNotEqualTo(terminal.get("ctl-2").results().get(0).sha256());
  }

  private static PixArtRenderer renderer() {
    PipelineOptions options =
        PipelineOptions.cpuReference().withKernels(TorchScriptKernels.load(ai.djl.Device.cpu()));
    return new PixArtRenderer(
        PixArtPipeline.load(ModelDirectory.open(Fixtures.tinyModel()), options));
  }

  @Test
  void fiftyRealRendersOfThreeShapesWithPoisonMessagesAndNoReprocessingAfterRestart()
      throws Exception {
    String name = "pixart";
    WorkerOptions options = stack.options(name, "pixart-e2e-1");
    Map<String, RenderJob> jobs = new LinkedHashMap<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int[] shape = SHAPES[i % SHAPES.length];
      RenderJob job =
          RenderJob.builder("pix-" + i, "a small test scene number " + (i % 7))
              .size(shape[0], shape[1])
              .binning(false)
              .steps(1 + i % 2)
              .seed((long) i)
              .build();
      jobs.put(job.jobId(), job);
      expected.add(job.jobId());
      stack.send(name, job);
      if (i == 10) {
        stack.sendRaw(name, "not-json", "{ definitely not json".getBytes(StandardCharsets.UTF_8));
        expected.add("not-json");
      }
      if (i == 30) {
        stack.sendRaw(
            name,
            "too-many-steps",
            ("{\"schemaVersion\":1,\"jobId\":\"too-many-steps\",\"prompt\":\"x\",\"steps\":99,"
                    + "\"submittedAt\":\"2026-01-01T00:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8));
        expected.add("too-many-steps");
      }
    }

    Map<String, StatusEvent> terminal;
    try (StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        PixArtRenderer renderer = renderer();
        Worker worker = Worker.start(options, renderer)) {
      terminal = statuses.awaitTerminal(expected, TIMEOUT);
      assertThat(worker.failure()).isNull();
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
    }

    assertThat(terminal.get("not-json").state()).isEqualTo(JobState.FAILED);
    assertThat(terminal.get("not-json").error().code()).isEqualTo(ErrorCodes.INVALID_JSON);
    assertThat(terminal.get("too-many-steps").error().code()).isEqualTo(ErrorCodes.SCHEMA_INVALID);
    try (S3Client s3 = stack.s3Client(options)) {
      for (RenderJob job : jobs.values()) {
        StatusEvent event = terminal.get(job.jobId());
        assertThat(event.state()).as(job.jobId()).isEqualTo(JobState.SUCCEEDED);
        ImageResult result = event.results().get(0);
        S3Uri uri = S3Uri.parse(result.uri());
        byte[] bytes =
            s3.getObjectAsBytes(b -> b.bucket(uri.bucket()).key(uri.key())).asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(image.getWidth()).as(job.jobId()).isEqualTo(job.width());
        assertThat(image.getHeight()).as(job.jobId()).isEqualTo(job.height());
        assertThat(result.sha256())
            .isEqualTo(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(event.timings().denoiseMs()).isNotNull();
      }
    }
    // Different seeds and prompts give different images (the renderer is not a constant).
    assertThat(terminal.get("pix-0").results().get(0).sha256())
        .isNotEqualTo(terminal.get("pix-3").results().get(0).sha256());

    Map<?, E2EStack.Position> positions =
        stack.committedVsEnd(name + "-workers", E2EStack.jobsTopic(name));
    for (E2EStack.Position p : positions.values()) {
      if (p.end() > 0) {
        assertThat(p.committed()).isEqualTo(p.end());
      }
    }

    // A new worker in the same group finds nothing to do.
    try (PixArtRenderer renderer = renderer();
        Worker restarted = Worker.start(stack.options(name, "pixart-e2e-2"), renderer)) {
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (restarted.consumerLoop().assignment().size() < E2EStack.PARTITIONS
          && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      // An unreadable marker on every partition, behind all earlier records: once each has its
      // FAILED status, the worker has read everything it was going to read.
      List<String> markers = new ArrayList<>();
      for (int p = 0; p < E2EStack.PARTITIONS; p++) {
        markers.add(E2EStack.keyOnPartition("restart-marker", p));
        stack.sendRaw(name, markers.get(p), "{ marker".getBytes(StandardCharsets.UTF_8));
      }
      try (StatusCollector statuses =
          StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name))) {
        statuses.awaitTerminal(markers, TIMEOUT);
      }
      assertThat(restarted.consumerLoop().recordsReceived()).isEqualTo(markers.size());
    }
  }
}
