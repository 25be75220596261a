package io.pixartdelta.worker.dev;

import io.pixartdelta.worker.app.OptionKey;
import io.pixartdelta.worker.app.RunExtension;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.embedded.EmbeddedKafka;
import io.pixartdelta.worker.embedded.EmbeddedS3;
import io.pixartdelta.worker.embedded.EmbeddedServiceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code run --embedded}: an in-process Kafka broker and S3 server for the worker, and with {@code
 * --demo N} a few sample jobs whose status events are printed (the quick start).
 */
final class EmbeddedRun implements RunExtension {
  @Option(
      names = "--embedded",
      description =
          "Start an in-process Kafka broker and S3 server (data under --data-dir) and use them.")
  boolean embedded;

  @Option(
      names = "--demo",
      paramLabel = "N",
      description =
          "With --embedded: submit N sample jobs once the worker runs and print their status"
              + " events.")
  int demo;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Embedded mode data folder (default ./data).")
  Path dataDir;

  @Override
  public void putOverrides(Map<String, String> overrides) {
    if (embedded) {
      overrides.put(OptionKey.EMBEDDED.key(), "true");
    }
    if (dataDir != null) {
      overrides.put(OptionKey.EMBEDDED_DATA_DIR.key(), dataDir.toString());
    }
  }

  @Override
  public WorkerOptions startServices(
      WorkerOptions options, List<AutoCloseable> services, PrintWriter out) {
    if (!options.embedded().enabled()) {
      return options;
    }
    WorkerOptions.EmbeddedOptions e = options.embedded();
    WorkerOptions.KafkaOptions k = options.kafka();
    requireFreePort(e.kafkaPort(), OptionKey.EMBEDDED_KAFKA_PORT, "Kafka");
    requireFreePort(e.s3Port(), OptionKey.EMBEDDED_S3_PORT, "S3");
    Path dataDir = e.dataDir().toAbsolutePath().normalize();
    EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), e.kafkaPort());
    services.add(0, kafka);
    kafka.createTopics(
        k.topicPartitions(), List.of(k.jobsTopic(), k.statusTopic(), k.deadLetterTopic()));
    EmbeddedS3 s3 = EmbeddedS3.startFilesystem(dataDir.resolve("s3"), e.s3Port());
    services.add(0, s3);
    s3.createBuckets(options.s3().allowList().buckets());
    WorkerOptions embedded =
        options.withEmbeddedServices(
            kafka.bootstrapServers(), s3.endpoint(), s3.accessKey(), s3.secretKey());
    String bucket = options.output().defaultBucket();
    out.printf(
        "%nPixArt-δ worker, embedded mode%n"
            + "  Kafka bootstrap servers: %s%n"
            + "  topics: jobs %s, status %s, dead letters %s%n"
            + "  S3 endpoint: %s (path-style, region %s, access key %s, secret %s)%n"
            + "  images: s3://%s/%s/<jobId>/<n>.png  (files under %s)%n"
            + "Submit a job from another terminal:%n"
            + "  PIXART_S3_ACCESS_KEY=%s PIXART_S3_SECRET_KEY=%s"
            + " java -jar producer/target/pixart-producer.jar submit --bootstrap %s"
            + " --s3-endpoint %s --path-style --wait --download out \"a lighthouse at dawn\"%n"
            + "Stop with Ctrl+C (finishes running jobs first).%n%n",
        kafka.bootstrapServers(),
        k.jobsTopic(),
        k.statusTopic(),
        k.deadLetterTopic(),
        s3.endpoint(),
        options.s3().connection().region(),
        s3.accessKey(),
        s3.secretKey(),
        bucket,
        options.output().defaultPrefix(),
        dataDir.resolve("s3").resolve(bucket),
        s3.accessKey(),
        s3.secretKey(),
        kafka.bootstrapServers(),
        s3.endpoint());
    out.flush();
    return embedded;
  }

  @Override
  public AutoCloseable startClients(WorkerOptions options, PrintWriter out) {
    if (demo <= 0 || !options.embedded().enabled()) {
      return () -> {};
    }
    boolean tiny = options.model().modelDir() == null;
    return DemoJobs.start(options, demo, tiny, out);
  }

  /**
   * Fails with one line naming the fix when a fixed embedded port is taken (typically by another
   * Kafka or a second quick start), before the broker would log its bind failure at length.
   */
  static void requireFreePort(int port, OptionKey option, String service) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("localhost", port));
    } catch (IOException busy) {
      throw new EmbeddedServiceException(
          "port "
              + port
              + " for the embedded "
              + service
              + " is in use; stop what listens there or run with --set "
              + option.key()
              + "=0 (any free port)");
    }
  }
}
