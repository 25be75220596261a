package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.image.EmbeddedText;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.schemas.ImageFormat;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.worker.storage.S3Uri;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which stored images carry their parameters. */
class OutputWriterTest {
  private final InMemoryObjectStore store = new InMemoryObjectStore();

  private byte[] written(ParameterEmbedding embedding, RenderJob job, ImageFormat format) {
    OutputWriter writer =
        new OutputWriter(store, new OutputImageEncoder(1), "w-1", "pixart-lcm", embedding);
    RenderItem item =
        new RenderItem(
            job.jobId(),
            job.prompt(),
            100,
            48,
            32,
            true,
            AspectRatioBins.pixart1024().classify(32, 48),
            3,
            2,
            SchedulerKind.LCM,
            GuidanceScale.of(job.guidanceScale(), SchedulerKind.LCM),
            null);
    PlannedJob planned =
        new PlannedJob(
            new IncomingJob(job, 1, Instant.EPOCH, "p0", () -> {}),
            item,
            new OutputTarget("renders", "img", format, 85),
            ControlImageBudget.NONE);
    BufferedImage image = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
    List<ImageResult> results = writer.write(planned, List.of(image, image)).results();
    return store.objects.get(S3Uri.parse(results.get(1).uri())).bytes();
  }

  @Test
  void pngImagesCarryTheirOwnSeedAndTheResolvedGuidance() throws IOException {
    byte[] png =
        written(ParameterEmbedding.DEFAULT, RenderJob.of("j1", "a fox, in snow"), ImageFormat.PNG);
    Map<String, String> text = EmbeddedText.png(png);
    assertThat(text)
        .containsEntry("Prompt", "a fox, in snow")
        .containsEntry("Seed", "101") // image 1 of seed 100
        .containsEntry("Steps", "3")
        .containsEntry("Sampler", "lcm")
        .containsEntry("CFG scale", "0") // the lcm default when the job gives none
        .containsEntry("Size", "48x32")
        .containsEntry("Model", "pixart-lcm");
    assertThat(text.get("parameters")).startsWith("a fox, in snow\nSteps: 3, Sampler: lcm");
  }

  @Test
  void jpegImagesCarryAComment() throws IOException {
    byte[] jpeg =
        written(ParameterEmbedding.DEFAULT, RenderJob.of("j2", "a fox"), ImageFormat.JPEG);
    assertThat(EmbeddedText.jpegComments(jpeg))
        .singleElement()
        .asString()
        .startsWith("a fox\nSteps: 3");
  }

  @Test
  void privateJobsAndDisabledEmbeddingWriteNothing() throws IOException {
    RenderJob secret =
        RenderJob.builder("j3", "my secret prompt").metadata(Map.of("private", "true")).build();
    assertThat(EmbeddedText.png(written(ParameterEmbedding.DEFAULT, secret, ImageFormat.PNG)))
        .isEmpty();
    assertThat(
            EmbeddedText.jpegComments(
                written(ParameterEmbedding.DEFAULT, secret.withJobId("j4"), ImageFormat.JPEG)))
        .isEmpty();

    RenderJob plain = RenderJob.of("j5", "public prompt");
    assertThat(
            EmbeddedText.png(
                written(new ParameterEmbedding(false, "private"), plain, ImageFormat.PNG)))
        .isEmpty();
    // A deployment that names another key: "private" means nothing, its own key does.
    ParameterEmbedding confidential = new ParameterEmbedding(true, "confidential");
    assertThat(EmbeddedText.png(written(confidential, secret.withJobId("j6"), ImageFormat.PNG)))
        .containsKey("Prompt");
    RenderJob marked =
        RenderJob.builder("j7", "x").metadata(Map.of("confidential", "TRUE")).build();
    assertThat(EmbeddedText.png(written(confidential, marked, ImageFormat.PNG))).isEmpty();
  }
}
