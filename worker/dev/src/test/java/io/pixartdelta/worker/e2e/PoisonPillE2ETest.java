package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.kafka.DeadLetterPublisher;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.metrics.WorkerMetrics;
import io.pixartdelta.worker.render.Renderer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, defect 1: a job message whose dead-letter copy cannot be written in full (value plus
 * error headers over the producer's {@code max.request.size}, or over the dead-letter topic's
 * {@code max.message.bytes}) must not stop the worker; on a real broker with default limits.
 */
class PoisonPillE2ETest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  /** Just under the default 1 MiB limits, as in the issue: its copy with headers is over them. */
  private static final int NEAR_LIMIT = 1_048_388;

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
  void aNearLimitMessageIsDeadLetteredTruncatedAndThePartitionMovesOn() throws Exception {
    String name = "poison";
    WorkerOptions options = stack.options(name, "poison-1");
    byte[] poison = notJson(NEAR_LIMIT);
    List<String> valid = sendAroundPoison(name, poison);

    try (Renderer renderer = E2EStack.renderer();
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        StatusCollector dlt =
            StatusCollector.raw(stack.kafka.bootstrapServers(), E2EStack.deadLetterTopic(name));
        Worker worker = Worker.start(options, renderer)) {
      List<String> expected = new ArrayList<>(valid);
      expected.add("poison");
      Map<String, StatusEvent> terminal = statuses.awaitTerminal(expected, TIMEOUT);
      List<ConsumerRecord<byte[], byte[]>> deadLetters = dlt.awaitRecords(1, TIMEOUT);

      assertThat(worker.failure()).isNull();
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
      for (String id : valid) {
        assertThat(terminal.get(id).state()).as(id).isEqualTo(JobState.SUCCEEDED);
      }
      assertThat(terminal.get("poison").state()).isEqualTo(JobState.FAILED);
      assertThat(terminal.get("poison").error().code()).isEqualTo(ErrorCodes.INVALID_JSON);

      assertThat(deadLetters).hasSize(1);
      ConsumerRecord<byte[], byte[]> copy = deadLetters.get(0);
      System.out.printf(
          "dead letter of a %d-byte message: %d value bytes, headers %s%n",
          poison.length, copy.value().length, headerNames(copy));
      assertThat(header(copy, DeadLetterPublisher.TRUNCATED)).isEqualTo("true");
      assertThat(header(copy, DeadLetterPublisher.ORIGINAL_SIZE))
          .isEqualTo(Integer.toString(NEAR_LIMIT));
      assertThat(header(copy, DeadLetterPublisher.ORIGINAL_SHA256)).isEqualTo(sha256(poison));
      assertThat(header(copy, DeadLetterPublisher.ERROR_CODE)).isEqualTo(ErrorCodes.INVALID_JSON);
      assertThat(copy.value())
          .isEqualTo(Arrays.copyOf(poison, DeadLetterPublisher.TRUNCATED_VALUE_BYTES));
      assertThat(new String(copy.key(), StandardCharsets.UTF_8)).isEqualTo("poison");
    }
    assertAllCommitted(name);
  }

  @Test
  void whenEvenTheTruncatedCopyIsRefusedTheJobFailsIsCommittedAndCounted() throws Exception {
    String name = "tinydlt";
    // A dead-letter topic that takes nothing bigger than 2 KB: both copies are refused.
    try (Admin admin = stack.kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(E2EStack.deadLetterTopic(name), E2EStack.PARTITIONS, (short) 1)
                      .configs(Map.of("max.message.bytes", "2048"))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    WorkerOptions options = stack.options(name, "tinydlt-1");
    byte[] poison = notJson(64 * 1024);
    List<String> valid = sendAroundPoison(name, poison);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Renderer renderer = E2EStack.renderer();
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Worker worker = Worker.start(options, renderer, Clock.systemUTC(), registry)) {
      List<String> expected = new ArrayList<>(valid);
      expected.add("poison");
      Map<String, StatusEvent> terminal = statuses.awaitTerminal(expected, TIMEOUT);

      assertThat(worker.failure()).isNull();
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
      for (String id : valid) {
        assertThat(terminal.get(id).state()).as(id).isEqualTo(JobState.SUCCEEDED);
      }
      assertThat(terminal.get("poison").error().code()).isEqualTo(ErrorCodes.INVALID_JSON);
      awaitCommitted(name);
      assertThat(
              registry
                  .get(WorkerMetrics.JOBS_DEAD_LETTERED)
                  .tag("code", ErrorCodes.INVALID_JSON)
                  .tag("copy", "none")
                  .counter()
                  .count())
          .isEqualTo(1.0);
    }
  }

  /** Six valid jobs, the poison between the third and the fourth. */
  private static List<String> sendAroundPoison(String name, byte[] poison) {
    List<String> valid = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      if (i == 3) {
        stack.sendRaw(name, "poison", poison);
      }
      RenderJob job = RenderJob.builder("ok-" + i, "ok " + i).size(256, 256).steps(1).build();
      stack.send(name, job);
      valid.add(job.jobId());
    }
    return valid;
  }

  private static byte[] notJson(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    return bytes;
  }

  private static void assertAllCommitted(String name) throws Exception {
    for (E2EStack.Position position :
        stack.committedVsEnd(name + "-workers", E2EStack.jobsTopic(name)).values()) {
      if (position.end() > 0) {
        assertThat(position.committed()).isEqualTo(position.end());
      }
    }
  }

  private static void awaitCommitted(String name) throws Exception {
    long end = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try {
        assertAllCommitted(name);
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static List<String> headerNames(ConsumerRecord<byte[], byte[]> record) {
    List<String> names = new ArrayList<>();
    for (Header header : record.headers()) {
      names.add(header.key());
    }
    return names;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
