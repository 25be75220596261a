package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.render.Renderer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, traces: a job record's W3C {@code traceparent} and {@code tracestate} headers come back
 * on every status event of the job; a job sent without them gets events without them.
 */
class TraceContextE2ETest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String STATE = "rojo=00f067aa0ba902b7";
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
  void theTraceHeadersOfAJobRecordComeBackOnItsStatusEvents() {
    String name = "traces";
    WorkerOptions options = stack.options(name, "traces-1");
    RenderJob traced =
        RenderJob.builder("traced-1", "a red fox").size(256, 256).seed(5L).steps(1).build();
    RenderJob plain =
        RenderJob.builder("plain-1", "a red fox").size(256, 256).seed(6L).steps(1).build();
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            E2EStack.jobsTopic(name),
            traced.jobId().getBytes(StandardCharsets.UTF_8),
            JsonCodec.shared().encode(traced));
    record.headers().add("traceparent", PARENT.getBytes(StandardCharsets.UTF_8));
    record.headers().add("tracestate", STATE.getBytes(StandardCharsets.UTF_8));

    try (Renderer renderer = E2EStack.renderer();
        StatusCollector statuses =
            StatusCollector.raw(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Worker worker = Worker.start(options, renderer)) {
      stack.sendRecord(record);
      stack.send(name, plain);
      // ACCEPTED, STARTED and SUCCEEDED for each job.
      List<ConsumerRecord<byte[], byte[]>> events = statuses.awaitRecords(6, TIMEOUT);

      List<ConsumerRecord<byte[], byte[]>> ofTraced = of(events, traced.jobId());
      assertThat(ofTraced).extracting(r -> state(r)).contains(JobState.SUCCEEDED);
      assertThat(ofTraced).hasSize(3);
      for (ConsumerRecord<byte[], byte[]> event : ofTraced) {
        assertThat(header(event, "traceparent")).isEqualTo(PARENT);
        assertThat(header(event, "tracestate")).isEqualTo(STATE);
      }
      List<ConsumerRecord<byte[], byte[]>> ofPlain = of(events, plain.jobId());
      assertThat(ofPlain).hasSize(3);
      for (ConsumerRecord<byte[], byte[]> event : ofPlain) {
        assertThat(event.headers().lastHeader("traceparent")).isNull();
      }
      assertThat(worker.failure()).isNull();
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> of(
      List<ConsumerRecord<byte[], byte[]>> records, String jobId) {
    return records.stream()
        .filter(r -> JsonCodec.shared().decodeStatus(r.value()).jobId().equals(jobId))
        .toList();
  }

  private static JobState state(ConsumerRecord<byte[], byte[]> record) {
    StatusEvent event = JsonCodec.shared().decodeStatus(record.value());
    return event.state();
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
