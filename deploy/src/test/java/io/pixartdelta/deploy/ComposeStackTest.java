package io.pixartdelta.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The local Docker stack (deploy/compose/compose.yaml), checked without Docker: pinned images, a
 * KRaft broker, an S3 server and a worker built from the repository's Dockerfile, wired to each
 * other. That the worker's {@code PIXART_*} names are real options is checked with the other
 * manifests by DeployConfigTest in worker/service (it reads every YAML file under deploy/).
 */
class ComposeStackTest {
  private static final Path COMPOSE = Path.of("compose", "compose.yaml");

  /** A registry path and a version tag or digest; never {@code latest}. */
  private static final Pattern PINNED =
      Pattern.compile("[a-z0-9./_-]+(:[A-Za-z0-9._-]*[0-9][A-Za-z0-9._-]*|@sha256:[0-9a-f]{64})");

  private final JsonNode services = read().path("services");

  @Test
  void everyImageIsPinned() {
    List<String> images = new ArrayList<>();
    services.forEach(s -> images.add(s.path("image").asText()));
    assertThat(images).hasSize(services.size()).doesNotContain("");
    assertThat(images).allSatisfy(i -> assertThat(i).matches(PINNED).doesNotContain(":latest"));
  }

  @Test
  void aKraftBrokerAnS3ServerAndOneCpuWorkerBuiltFromTheRepository() {
    JsonNode kafka = services.path("kafka");
    assertThat(kafka.path("image").asText()).startsWith("apache/kafka:");
    assertThat(kafka.path("environment").path("KAFKA_PROCESS_ROLES").asText())
        .contains("broker", "controller");
    assertThat(services.toString()).doesNotContainIgnoringCase("zookeeper");

    JsonNode worker = services.path("worker");
    JsonNode build = worker.path("build");
    assertThat(build.path("target").asText()).isEqualTo("cpu");
    Path context = COMPOSE.getParent().resolve(build.path("context").asText()).normalize();
    assertThat(context.resolve(build.path("dockerfile").asText()))
        .isEqualTo(Path.of("..", "deploy", "image", "Dockerfile").normalize())
        .isRegularFile();
    assertThat(worker.path("deploy").path("replicas").asInt(1)).isEqualTo(1);

    JsonNode env = worker.path("environment");
    assertThat(env.path("PIXART_KAFKA_BOOTSTRAP_SERVERS").asText())
        .isEqualTo(listener(kafka, "INTERNAL"));
    assertThat(env.path("PIXART_S3_ENDPOINT").asText()).isEqualTo("http://s3:9000");
    assertThat(services.path("s3-init").path("command").toString())
        .contains("local/" + env.path("PIXART_OUTPUT_DEFAULT_BUCKET").asText());
    String topics = services.path("kafka-init").path("command").toString();
    for (String topic : List.of("JOBS", "STATUS", "DEAD_LETTER")) {
      assertThat(topics).contains(env.path("PIXART_KAFKA_" + topic + "_TOPIC").asText() + ":");
    }
    List<String> names = new ArrayList<>();
    env.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .isNotEmpty()
        .allSatisfy(n -> assertThat(n).matches("PIXART_[A-Z0-9_]+|JAVA_TOOL_OPTIONS"));
    assertThat(worker.path("depends_on").toString())
        .contains("kafka-init", "s3-init", "service_completed_successfully");
  }

  /** The address the broker advertises on listener {@code name}. */
  private static String listener(JsonNode kafka, String name) {
    for (String entry :
        kafka.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText().split(",")) {
      if (entry.startsWith(name + "://")) {
        return entry.substring(name.length() + 3);
      }
    }
    throw new AssertionError("no advertised listener " + name);
  }

  private static JsonNode read() {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(COMPOSE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
