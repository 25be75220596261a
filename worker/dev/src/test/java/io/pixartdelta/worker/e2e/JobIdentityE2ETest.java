package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.render.Renderer;
import io.pixartdelta.worker.storage.S3Uri;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 11, defect 5, on a real broker and S3 server: the same jobId sent again with the same
 * request completes from the stored object without rendering; with a different prompt, seed and
 * size it fails with job-id-conflict instead of reporting the first render.
 */
class JobIdentityE2ETest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
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
  void aReusedJobIdCompletesFromStorageWhenTheRequestIsTheSameAndFailsWhenItIsNot()
      throws Exception {
    String name = "identity";
    WorkerOptions options = stack.options(name, "identity-1");
    RenderJob original =
        RenderJob.builder("order-7", "a red fox").size(320, 256).seed(5L).steps(1).build();
    RenderJob different =
        RenderJob.builder("order-7", "a blue whale").size(256, 384).seed(6L).steps(1).build();

    try (Renderer renderer = E2EStack.renderer();
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Worker worker = Worker.start(options, renderer);
        S3Client s3 = stack.s3Client(options)) {
      stack.send(name, original);
      StatusEvent first = terminals(statuses, 1).get(0);
      stack.send(name, original);
      StatusEvent again = terminals(statuses, 2).get(1);
      stack.send(name, different);
      StatusEvent conflict = terminals(statuses, 3).get(2);

      List<JobState> states =
          statuses.pollFor(Duration.ofMillis(200)).stream().map(StatusEvent::state).toList();
      System.out.println("events of order-7: " + states);
      System.out.println("conflict: " + conflict.error());

      assertThat(first.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(again.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(again.results()).isEqualTo(first.results());
      // Rendered once: one STARTED event for three deliveries.
      assertThat(states.stream().filter(s -> s == JobState.STARTED)).hasSize(1);

      assertThat(conflict.state()).isEqualTo(JobState.FAILED);
      assertThat(conflict.error().code()).isEqualTo("job-id-conflict");
      assertThat(conflict.error().message()).contains("prompt", "seed", "size");

      ImageResult stored = first.results().get(0);
      S3Uri uri = S3Uri.parse(stored.uri());
      byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(uri.bucket()).key(uri.key())).asByteArray();
      assertThat(sha256(bytes)).isEqualTo(stored.sha256());
      Map<String, String> metadata =
          s3.headObject(b -> b.bucket(uri.bucket()).key(uri.key())).metadata();
      assertThat(metadata).containsKeys("request-fingerprint", "request-fields");
      assertThat(metadata.get("width")).isEqualTo("320");
      assertThat(worker.failure()).isNull();
    }
  }

  private static List<StatusEvent> terminals(StatusCollector statuses, int count) {
    return statuses
        .awaitEvents(
            seen -> seen.stream().filter(e -> e.state().isTerminal()).count() >= count, TIMEOUT)
        .stream()
        .filter(e -> e.state().isTerminal())
        .toList();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
