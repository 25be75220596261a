package io.pixartdelta.producer.it;

import io.pixartdelta.producer.KafkaSettings;
import io.pixartdelta.producer.S3Settings;
import io.pixartdelta.worker.embedded.EmbeddedKafka;
import io.pixartdelta.worker.embedded.EmbeddedS3;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real KRaft broker with the jobs and status topics, an S3Proxy server with the output bucket,
 * and a {@link StandInWorker} serving the jobs topic.
 *
 * <p>Starting a broker costs seconds (much more on a loaded machine), so the test classes of this
 * package share one stack per JVM ({@link #shared()}), stopped by a shutdown hook. Tests keep their
 * job ids unique, so sharing is safe.
 */
final class EmbeddedStack implements AutoCloseable {
  private static EmbeddedStack shared;

  /** The JVM-wide stack, started on first use. */
  static synchronized EmbeddedStack shared() {
    if (shared == null) {
      EmbeddedStack stack = new EmbeddedStack();
      Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "embedded-stack-stop"));
      shared = stack;
    }
    return shared;
  }

  static final String JOBS = "it.jobs";
  static final String STATUS = "it.status";
  static final String BUCKET = "renders";
  static final int PARTITIONS = 3;

  final EmbeddedKafka kafka;
  final EmbeddedS3 s3;
  final S3Client s3Client;
  final StandInWorker worker;

  EmbeddedStack() {
    kafka = EmbeddedKafka.start();
    kafka.createTopics(PARTITIONS, List.of(JOBS, STATUS));
    s3 = EmbeddedS3.startTransient();
    s3.createBuckets(List.of(BUCKET));
    s3Client =
        S3Client.builder()
            .endpointOverride(s3.endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
            .build();
    worker = new StandInWorker(kafka.bootstrapServers(), JOBS, STATUS, s3Client, BUCKET);
    worker.start();
  }

  KafkaSettings kafkaSettings() {
    return KafkaSettings.of(kafka.bootstrapServers()).withTopics(JOBS, STATUS);
  }

  S3Settings s3Settings() {
    return S3Settings.defaults()
        .withEndpoint(s3.endpoint())
        .withPathStyle(true)
        .withCredentials(s3.accessKey(), s3.secretKey())
        .withControlLocation(BUCKET, "controls");
  }

  @Override
  public void close() {
    worker.close();
    s3Client.close();
    s3.close();
    kafka.close();
  }
}
