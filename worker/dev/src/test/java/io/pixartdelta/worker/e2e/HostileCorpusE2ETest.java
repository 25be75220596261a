package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.app.WorkerOptionsLoader;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.render.FakeRenderer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 11: the hostile corpus ({@code src/test/resources/hostile/}) through one live worker, with
 * a valid canary job after every fourth message. Each hostile message must end in exactly the
 * terminal events the corpus states (a stable error code, or success where the input is odd but
 * legal), every canary must succeed, unreadable messages must be dead-lettered, every offset must
 * be committed, and the worker must still be running at the end.
 */
class HostileCorpusE2ETest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final String CONTROL_OK = "s3://" + E2EStack.BUCKET + "/hostile-inputs/ok.png";
  private static final String CONTROL_PNG = "/hostile/control-64x64.png";

  @RegisterExtension static final E2EStack stack = new E2EStack();

  @Test
  void hostileMessagesEndAsTheCorpusSaysAndEveryCanarySucceeds() throws Exception {
    String name = "hostile";
    String topic = E2EStack.jobsTopic(name);
    Map<String, String> values = new LinkedHashMap<>(stack.optionValues(name, "hostile-1"));
    values.put("worker.max-control-image-bytes", "262144");
    WorkerOptions options = WorkerOptionsLoader.load(null, Map.of(), values);
    HostileCorpus corpus = HostileCorpus.load();
    assertThat(corpus.messages).hasSizeGreaterThanOrEqualTo(60);
    try (S3Client s3 = stack.s3Client(options)) {
      for (HostileCorpus.Upload upload : corpus.uploads) {
        s3.putObject(
            b -> b.bucket(E2EStack.BUCKET).key(upload.key()),
            RequestBody.fromBytes(upload.bytes()));
      }
    }

    Map<String, List<String>> expected = new LinkedHashMap<>();
    Map<String, String> caseOf = new LinkedHashMap<>();
    List<String> deadLetterKeys = new ArrayList<>();
    List<String> copied = new ArrayList<>();
    List<StatusEvent> events;
    try (FakeRenderer renderer = new FakeRenderer(true);
        Worker worker = Worker.start(options, renderer);
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        StatusCollector dlt =
            StatusCollector.raw(stack.kafka.bootstrapServers(), E2EStack.deadLetterTopic(name))) {
      int sent = 0;
      for (HostileCorpus.Message message : corpus.messages) {
        RecordMetadata at =
            stack.sendRecord(new ProducerRecord<>(topic, bytes(message.key()), message.value()));
        HostileCorpus.Expect expect = message.expect();
        if (expect != null) {
          String id =
              expect.unreadable()
                  ? "unreadable-" + topic + "-" + at.partition() + "-" + at.offset()
                  : expect.id();
          expected.put(id, expect.terminal());
          caseOf.put(id, message.name() + " (" + message.why() + ")");
          if (expect.terminal().stream().anyMatch(HostileCorpusE2ETest::isDecodeFailure)) {
            deadLetterKeys.add(String.valueOf(message.key()));
          }
        }
        if (++sent % 4 == 0) {
          RenderJob canary = canary(sent / 4);
          stack.send(name, canary);
          expected.put(canary.jobId(), List.of("SUCCEEDED"));
          caseOf.put(canary.jobId(), "canary");
        }
      }
      int terminalCount = expected.values().stream().mapToInt(List::size).sum();
      statuses.awaitEvents(seen -> terminals(seen).size() >= terminalCount, TIMEOUT);
      events = statuses.pollFor(Duration.ofMillis(500));
      awaitCommitted(name); // dead letters are written before offsets are committed
      dlt.pollFor(Duration.ofSeconds(1));
      for (ConsumerRecord<byte[], byte[]> record : dlt.awaitRecords(0, TIMEOUT)) {
        copied.add(
            record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8));
      }
      assertThat(worker.failure()).isNull();
      assertThat(worker.state()).isEqualTo(WorkerState.RUNNING);
    }

    Map<String, List<String>> actual = new LinkedHashMap<>();
    for (StatusEvent event : terminals(events)) {
      actual
          .computeIfAbsent(event.jobId(), id -> new ArrayList<>())
          .add(event.state() + (event.error() == null ? "" : ":" + event.error().code()));
    }
    System.out.printf(
        "== %d hostile messages, %d canaries, %d dead letters%n",
        corpus.messages.size(),
        caseOf.values().stream().filter("canary"::equals).count(),
        copied.size());
    for (Map.Entry<String, String> c : caseOf.entrySet()) {
      System.out.printf("  %-40s %-32s %s%n", c.getValue(), c.getKey(), actual.get(c.getKey()));
    }
    assertThat(copied).as("dead-letter keys").containsExactlyInAnyOrderElementsOf(deadLetterKeys);
    assertThat(actual.keySet())
        .as("ids with terminal events")
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<String, List<String>> e : expected.entrySet()) {
      assertThat(actual.get(e.getKey()))
          .as("%s: %s", caseOf.get(e.getKey()), e.getKey())
          .containsExactlyInAnyOrderElementsOf(e.getValue());
    }
  }

  /** Valid jobs; one in three with the control image in S3, one in three with it inline. */
  private static RenderJob canary(int n) throws IOException {
    RenderJob.Builder job =
        RenderJob.builder("canary-" + n, "canary " + n).size(256, 256).steps(1).seed((long) n);
    if (n % 3 == 1) {
      job.control(ControlSpec.of(CONTROL_OK, ControlType.EDGES));
    } else if (n % 3 == 2) {
      try (InputStream png = HostileCorpusE2ETest.class.getResourceAsStream(CONTROL_PNG)) {
        job.control(ControlSpec.inlinePng(png.readAllBytes(), ControlType.EDGES, 1.0));
      }
    }
    return job.build();
  }

  private static boolean isDecodeFailure(String terminal) {
    return terminal.equals("FAILED:" + ErrorCodes.INVALID_JSON)
        || terminal.equals("FAILED:" + ErrorCodes.SCHEMA_INVALID)
        || terminal.equals("FAILED:" + ErrorCodes.INVALID_JOB);
  }

  private static List<StatusEvent> terminals(List<StatusEvent> events) {
    return events.stream().filter(e -> e.state().isTerminal()).toList();
  }

  private static byte[] bytes(String key) {
    return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
  }

  private static void awaitCommitted(String name) throws Exception {
    long end = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      boolean all = true;
      for (E2EStack.Position p :
          stack.committedVsEnd(name + "-workers", E2EStack.jobsTopic(name)).values()) {
        all &= p.end() == 0 || Long.valueOf(p.end()).equals(p.committed());
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("offsets not all committed");
      }
      Thread.sleep(100);
    }
  }
}
