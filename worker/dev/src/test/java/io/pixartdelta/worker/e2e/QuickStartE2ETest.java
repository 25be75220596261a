package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick start as a user runs it: {@code java -jar worker/target/pixart-worker.jar run
 * --embedded} (the jar this build just packaged), a job sent to the printed bootstrap address, the
 * image found as a file under the data folder, and a clean exit on SIGTERM.
 */
class QuickStartE2ETest {
  @TempDir Path dataDir;

  @Test
  void embeddedModeRendersAJobAndStopsCleanlyOnSigterm() throws Exception {
    int kafkaPort = freePort();
    int s3Port = freePort();
    Path log = dataDir.resolve("worker.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(quickStartJar().toString());
    command.addAll(
        List.of(
            // README's quick start: the default PixArt renderer on the bundled tiny model.
            "run",
            "--embedded",
            "--demo",
            "2",
            "--data-dir",
            dataDir.resolve("data").toString(),
            "--set",
            "embedded.kafka-port=" + kafkaPort,
            "--set",
            "embedded.s3-port=" + s3Port,
            "--set",
            "worker.max-wait=20ms"));
    Process worker =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      awaitLogLine(log, "Submit a job", worker);
      String bootstrap = "localhost:" + kafkaPort;
      assertThat(Files.readString(log)).contains("Kafka bootstrap servers: " + bootstrap);

      RenderJob job =
          RenderJob.builder("quick-1", "a lighthouse").size(256, 256).binning(false).build();
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                  ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                  ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
        producer
            .send(
                new ProducerRecord<>(
                    "render-jobs",
                    job.jobId().getBytes(StandardCharsets.UTF_8),
                    JsonCodec.shared().encode(job)))
            .get(30, TimeUnit.SECONDS);
      }
      StatusEvent done;
      try (StatusCollector statuses = StatusCollector.statuses(bootstrap, "render-status")) {
        done = statuses.awaitTerminal(List.of("quick-1"), Duration.ofMinutes(3)).get("quick-1");
      }
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.results().get(0).uri()).isEqualTo("s3://renders/images/quick-1/0.png");
      Path file = dataDir.resolve("data/s3/renders/images/quick-1/0.png");
      assertThat(file).exists();
      assertThat(Files.size(file)).isEqualTo(done.results().get(0).bytes());

      // The demo jobs' status events are printed as they arrive.
      long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      java.util.regex.Pattern demoDone =
          java.util.regex.Pattern.compile("demo-\\d+-\\d SUCCEEDED s3://renders/");
      while (demoDone.matcher(Files.readString(log)).results().count() < 2
          && System.nanoTime() < end) {
        Thread.sleep(200);
      }
      assertThat(demoDone.matcher(Files.readString(log)).results().count()).isEqualTo(2);

      worker.destroy(); // SIGTERM
      assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("worker exits after SIGTERM").isTrue();
      // 143 = 128 + SIGTERM: the JVM's status for a process stopped by the signal.
      assertThat(worker.exitValue()).as(Files.readString(log)).isEqualTo(143);
      assertThat(Files.readString(log))
          .contains("shutdown signal: draining")
          .containsPattern("worker \\S+ stopped");
    } finally {
      worker.destroyForcibly();
    }
  }

  private static void awaitLogLine(Path log, String text, Process process)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!(Files.exists(log) && Files.readString(log).contains(text))) {
      if (!process.isAlive()) {
        throw new AssertionError("worker exited early:\n" + Files.readString(log));
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("worker did not start:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  /** Set by failsafe (worker/dev/pom.xml): the integration tests run after the jars are built. */
  static Path quickStartJar() {
    String jar = System.getProperty("pixart.quickstart.jar");
    assertThat(jar)
        .as("system property pixart.quickstart.jar (run through mvn verify)")
        .isNotNull();
    Path path = Path.of(jar);
    assertThat(path).as("the quick-start jar; build it with mvn package").isRegularFile();
    return path;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
