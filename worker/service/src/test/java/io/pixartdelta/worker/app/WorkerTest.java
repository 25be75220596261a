package io.pixartdelta.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.render.FakeRenderer;
import io.pixartdelta.worker.render.InMemoryObjectStore;
import io.pixartdelta.worker.storage.S3Uri;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The worker's wiring on injected stand-ins: Kafka's mock consumer and producer and an in-memory
 * store instead of a broker and S3 (the end-to-end suites of worker/dev run the real ones).
 */
class WorkerTest {
  private final WorkerOptions options =
      WorkerOptionsLoader.load(null, Map.of(), Map.of("worker.id", "unit-worker"));
  private final TopicPartition jobs = new TopicPartition(options.kafka().jobsTopic(), 0);
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final InMemoryObjectStore store = new InMemoryObjectStore();

  @Test
  void aJobFromTheConsumerEndsAsAnImageInTheStoreAndASucceededEvent() throws Exception {
    consumer.updateBeginningOffsets(Map.of(jobs, 0L));
    consumer.schedulePollTask(() -> consumer.rebalance(Set.of(jobs)));
    RenderJob job = RenderJob.builder("job-1", "a red fox").size(256, 256).build();
    consumer.schedulePollTask(
        () ->
            consumer.addRecord(
                new ConsumerRecord<>(
                    jobs.topic(),
                    0,
                    0L,
                    "job-1".getBytes(StandardCharsets.UTF_8),
                    JsonCodec.shared().encode(job))));

    Worker worker =
        Worker.start(
            options,
            new FakeRenderer(),
            Clock.systemUTC(),
            new SimpleMeterRegistry(),
            new WorkerConnections(consumer, producer, store));
    StatusEvent succeeded;
    try {
      succeeded = await(() -> statusOf("job-1", JobState.SUCCEEDED));
      // The offset is committed once the terminal status is out.
      await(
          () ->
              Optional.ofNullable(consumer.committed(Set.of(jobs)).get(jobs))
                  .filter(o -> o.offset() == 1));
    } finally {
      worker.close();
    }

    assertThat(succeeded.workerId()).isEqualTo("unit-worker");
    assertThat(succeeded.results()).hasSize(1);
    S3Uri uri = S3Uri.parse(succeeded.results().get(0).uri());
    assertThat(uri.bucket()).isEqualTo(options.output().defaultBucket());
    assertThat(store.objects.get(uri).bytes()).hasSize((int) succeeded.results().get(0).bytes());
    // The worker owns what it was given: closing it closes them.
    assertThat(consumer.closed()).isTrue();
    assertThat(producer.closed()).isTrue();
  }

  private Optional<StatusEvent> statusOf(String jobId, JobState state) {
    List<StatusEvent> events =
        producer.history().stream()
            .filter(r -> r.topic().equals(options.kafka().statusTopic()))
            .map(r -> JsonCodec.shared().decodeStatus(r.value()))
            .toList();
    return events.stream().filter(e -> e.jobId().equals(jobId) && e.state() == state).findFirst();
  }

  private static <T> T await(Supplier<Optional<T>> probe) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> value = probe.get();
      if (value.isPresent()) {
        return value.get();
      }
      Thread.sleep(10);
    }
    throw new AssertionError("not seen within 20 s");
  }
}
