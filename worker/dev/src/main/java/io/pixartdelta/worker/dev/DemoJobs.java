package io.pixartdelta.worker.dev;

import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.kafka.KafkaClients;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The quick start's show: submits a few sample jobs to the jobs topic and prints every status event
 * the worker publishes, so a new user sees jobs go from Kafka to images in S3 in one terminal.
 */
final class DemoJobs implements AutoCloseable {
  private static final String[] PROMPTS = {
    "a lighthouse on a rocky shore at dawn, oil painting",
    "an astronaut riding a horse on the moon",
    "a small cactus with a happy face in the Sahara desert",
    "a red fox in fresh snow, photograph",
    "a cozy cabin in a pine forest under the northern lights",
    "a bowl of ramen, studio lighting",
  };
  private static final int[][] TINY_SIZES = {{256, 256}, {320, 256}, {256, 384}};

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread printer;

  private DemoJobs(KafkaConsumer<byte[], byte[]> consumer, Thread printer) {
    this.consumer = consumer;
    this.printer = printer;
  }

  /**
   * Sends {@code count} jobs and starts printing status events. With the bundled tiny model the
   * jobs are small exact sizes (the tiny model renders noise quickly); with a real model they are
   * 1024-class sizes snapped to PixArt's aspect-ratio bins.
   */
  static DemoJobs start(WorkerOptions options, int count, boolean tinyModel, PrintWriter out) {
    WorkerOptions.KafkaOptions k = options.kafka();
    KafkaConsumer<byte[], byte[]> consumer = statusConsumer(k.bootstrapServers());
    List<TopicPartition> partitions = new ArrayList<>();
    consumer
        .partitionsFor(k.statusTopic())
        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // fix the start before any job is sent

    JsonCodec codec = JsonCodec.shared();
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(k.bootstrapServers(), "demo", Duration.ofSeconds(30), Map.of())) {
      long stamp = System.currentTimeMillis() % 1_000_000;
      for (int i = 0; i < count; i++) {
        int[] size = tinyModel ? TINY_SIZES[i % TINY_SIZES.length] : new int[] {1024, 1024};
        RenderJob job =
            RenderJob.builder("demo-" + stamp + "-" + i, PROMPTS[i % PROMPTS.length])
                .size(size[0], size[1])
                .binning(!tinyModel)
                .steps(4)
                .seed((long) i)
                .build();
        producer.send(
            new ProducerRecord<>(
                k.jobsTopic(), job.jobId().getBytes(StandardCharsets.UTF_8), codec.encode(job)));
      }
      producer.flush();
    }
    out.printf("Submitted %d demo jobs to %s; status events follow:%n", count, k.jobsTopic());
    out.flush();
    Thread printer =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.println(describe(codec, r.value()));
                    out.flush();
                  }
                }
              } catch (WakeupException e) {
                // closing
              } finally {
                consumer.close();
              }
            },
            "demo-status-printer");
    printer.setDaemon(true);
    printer.start();
    return new DemoJobs(consumer, printer);
  }

  private static String describe(JsonCodec codec, byte[] value) {
    try {
      StatusEvent e = codec.decodeStatus(value);
      StringBuilder line = new StringBuilder("  ").append(e.jobId()).append(' ').append(e.state());
      if (e.results() != null) {
        e.results().forEach(r -> line.append(' ').append(r.uri()));
      }
      if (e.timings() != null && e.timings().denoiseMs() != null) {
        line.append(" (denoise ").append(e.timings().denoiseMs()).append(" ms)");
      }
      if (e.error() != null) {
        line.append(' ').append(e.error().code()).append(": ").append(e.error().message());
      }
      return line.toString();
    } catch (RuntimeException ex) {
      return "  (unreadable status event: " + ex.getMessage() + ")";
    }
  }

  private static KafkaConsumer<byte[], byte[]> statusConsumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "demo-status");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }

  @Override
  public void close() {
    consumer.wakeup();
    try {
      printer.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
