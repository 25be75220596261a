package io.pixartdelta.worker.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.common.ChecksumMode;
import io.pixartdelta.worker.render.ParameterEmbedding;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerOptionsTest {
  @TempDir Path dir;

  @Test
  void defaultsAreValidAndMatchTheDocumentedValues() {
    WorkerOptions options = WorkerOptionsLoader.defaults();

    assertThat(options.kafka().bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(options.kafka().jobsTopic()).isEqualTo("render-jobs");
    assertThat(options.kafka().groupProtocol()).isEqualTo("consumer");
    assertThat(options.service().batch().maxBatchSize()).isEqualTo(4);
    assertThat(options.service().batch().maxWait()).isEqualTo(Duration.ofMillis(250));
    assertThat(options.s3().connection().endpoint()).isNull();
    assertThat(options.s3().connection().accessKeyId()).isNull();
    assertThat(options.s3().allowList().buckets()).containsExactly("renders");
    assertThat(options.s3().connection().requestChecksum()).isEqualTo(ChecksumMode.WHEN_SUPPORTED);
    assertThat(options.workerId()).isNotBlank();
    assertThat(options.embedded().enabled()).isFalse();
    assertThat(options.output().parameterEmbedding()).isEqualTo(ParameterEmbedding.DEFAULT);
  }

  @Test
  void parameterEmbeddingCanBeTurnedOffOrKeyedOnAnotherMetadataEntry() {
    assertThat(load("output.embed-parameters", "false").output().parameterEmbedding().enabled())
        .isFalse();
    assertThat(
            load("output.private-metadata-key", "confidential")
                .output()
                .parameterEmbedding()
                .privateMetadataKey())
        .isEqualTo("confidential");
    assertThatThrownBy(() -> load("output.embed-parameters", "maybe"))
        .hasMessageContaining("output.embed-parameters");
  }

  @Test
  void fileThenEnvironmentThenCommandLineWin() throws IOException {
    Path file = dir.resolve("worker.properties");
    Files.writeString(
        file,
        "worker.max-batch-size=6\nkafka.group-id=from-file\ns3.region=eu-west-1\n",
        StandardCharsets.UTF_8);
    Map<String, String> env =
        Map.of(
            "PIXART_KAFKA_GROUP_ID", "from-env",
            "PIXART_WORKER_MAX_WAIT", "2s",
            "UNRELATED", "ignored");
    Map<String, String> cli = Map.of("worker.max-wait", "75ms");

    WorkerOptions options = WorkerOptionsLoader.load(file, env, cli);

    assertThat(options.service().batch().maxBatchSize()).isEqualTo(6);
    assertThat(options.kafka().groupId()).isEqualTo("from-env");
    assertThat(options.service().batch().maxWait()).isEqualTo(Duration.ofMillis(75));
    assertThat(options.s3().connection().region()).isEqualTo("eu-west-1");
  }

  @Test
  void aGpuDeviceRunsFp16UnlessTheDtypeIsGiven() {
    assertThat(load("model.device", "gpu:0").model().rendererSettings().dtype()).isEqualTo("fp16");
    assertThat(load("model.device", "cpu").model().rendererSettings().dtype()).isEqualTo("fp32");
    // Every spelling the renderer's device parser takes is a valid option (cuda:N was refused).
    assertThat(load("model.device", "cuda:1").model().rendererSettings().dtype()).isEqualTo("fp16");
    assertThatThrownBy(() -> load("model.device", "tpu:0"))
        .isInstanceOf(OptionsException.class)
        .hasMessageContaining("model.device");
    WorkerOptions forced =
        WorkerOptionsLoader.load(
            null, Map.of(), Map.of("model.device", "gpu:0", "model.dtype", "fp32"));
    assertThat(forced.model().rendererSettings().dtype()).isEqualTo("fp32");
  }

  @Test
  void randomWeightsAreRealOrTinyAndReplaceTheCheckpoint() {
    assertThat(load("model.random-weights", "real").model().rendererSettings().randomWeights())
        .isEqualTo("real");
    assertThat(WorkerOptionsLoader.defaults().model().rendererSettings().randomWeights()).isNull();
    assertThatThrownBy(() -> load("model.random-weights", "huge"))
        .isInstanceOf(OptionsException.class)
        .hasMessageContaining("model.random-weights");
    assertThatThrownBy(
            () ->
                WorkerOptionsLoader.load(
                    null,
                    Map.of(),
                    Map.of("model.random-weights", "tiny", "model.dir", "/models/pixart")))
        .isInstanceOf(OptionsException.class)
        .hasMessageContaining("exclude each other");
  }

  @Test
  void environmentNamesFollowTheKey() {
    assertThat(OptionKey.KAFKA_BOOTSTRAP_SERVERS.envName())
        .isEqualTo("PIXART_KAFKA_BOOTSTRAP_SERVERS");
    assertThat(OptionKey.S3_BREAKER_OPEN_DURATION.envName())
        .isEqualTo("PIXART_S3_BREAKER_OPEN_DURATION");
    assertThat(OptionKey.RENDERER.envName()).isEqualTo("PIXART_RENDERER");
  }

  @Test
  void durationsAcceptShortAndIsoForms() {
    assertThat(load("worker.drain-timeout", "2m").service().drainTimeout())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(load("worker.drain-timeout", "PT45S").service().drainTimeout())
        .isEqualTo(Duration.ofSeconds(45));
    assertThat(load("worker.drain-timeout", "1h").service().drainTimeout())
        .isEqualTo(Duration.ofHours(1));
  }

  @Test
  void t5Int8ReachesTheRendererSettingsFromTheEnvironment() {
    assertThat(OptionKey.MODEL_T5_INT8.envName()).isEqualTo("PIXART_MODEL_T5_INT8");
    assertThat(WorkerOptionsLoader.defaults().model().rendererSettings().t5Int8()).isFalse();
    WorkerOptions options =
        WorkerOptionsLoader.load(null, Map.of("PIXART_MODEL_T5_INT8", "true"), Map.of());
    assertThat(options.model().t5Int8()).isTrue();
    assertThat(options.model().rendererSettings().t5Int8()).isTrue();
    assertThatThrownBy(() -> load("model.t5-int8", "maybe"))
        .hasMessageContaining("PIXART_MODEL_T5_INT8");
  }

  @Test
  void passThroughKafkaClientPropertiesAreCollected() {
    WorkerOptions options =
        WorkerOptionsLoader.load(
            null,
            Map.of(),
            Map.of(
                "kafka.client.security.protocol",
                "SSL",
                "kafka.client.ssl.truststore.type",
                "PEM"));

    assertThat(options.kafka().clientProperties())
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.type", "PEM");
  }

  @Test
  void allowListDefaultsToTheDefaultBucketAndMustContainIt() {
    assertThat(load("output.allowed-buckets", "renders, extra").s3().allowList().buckets())
        .isEqualTo(Set.of("renders", "extra"));
    assertThatThrownBy(() -> load("output.allowed-buckets", "extra"))
        .isInstanceOf(OptionsException.class)
        .hasMessageContaining("output.allowed-buckets")
        .hasMessageContaining("renders");
  }

  @Test
  void badValuesNameTheOptionAndItsVariable() {
    assertThatThrownBy(() -> load("worker.max-batch-size", "lots"))
        .isInstanceOf(OptionsException.class)
        .hasMessageContaining("worker.max-batch-size")
        .hasMessageContaining("PIXART_WORKER_MAX_BATCH_SIZE")
        .hasMessageContaining("lots");
    assertThatThrownBy(() -> load("worker.max-wait", "soon"))
        .hasMessageContaining("worker.max-wait");
    assertThatThrownBy(() -> load("kafka.group-protocol", "eager"))
        .hasMessageContaining("kafka.group-protocol");
    assertThatThrownBy(() -> load("output.png-compression", "10"))
        .hasMessageContaining("output.png-compression");
    assertThatThrownBy(() -> load("s3.request-checksum", "never"))
        .hasMessageContaining("s3.request-checksum");
    assertThatThrownBy(() -> load("s3.endpoint", "not a uri")).hasMessageContaining("s3.endpoint");
    assertThatThrownBy(() -> load("model.dtype", "bf16")).hasMessageContaining("model.dtype");
    assertThatThrownBy(() -> load("embedded", "yes")).hasMessageContaining("embedded");
    assertThatThrownBy(() -> load("worker.max-queued-jobs", "2"))
        .hasMessageContaining("worker.max-queued-jobs");
    assertThatThrownBy(() -> load("kafka.status-topic", "render-jobs"))
        .hasMessageContaining("must differ");
  }

  @Test
  void unknownKeysAreRejectedButUnknownEnvironmentVariablesIgnored() {
    assertThatThrownBy(() -> load("worker.max-bach-size", "4"))
        .isInstanceOf(OptionsException.class)
        .hasMessageContaining("unknown option 'worker.max-bach-size'");
    assertThat(WorkerOptionsLoader.load(null, Map.of("PIXART_NOT_AN_OPTION", "x"), Map.of()))
        .isNotNull();
  }

  @Test
  void accessAndSecretKeyComeTogether() {
    assertThatThrownBy(() -> load("s3.access-key", "only-the-id"))
        .hasMessageContaining("s3.access-key and s3.secret-key");
  }

  @Test
  void embeddedServicesReplaceTheConnectionSettings() {
    WorkerOptions options =
        WorkerOptionsLoader.defaults()
            .withEmbeddedServices("localhost:1234", URI.create("http://127.0.0.1:9999"), "k", "s");

    assertThat(options.kafka().bootstrapServers()).isEqualTo("localhost:1234");
    assertThat(options.s3().connection().endpoint()).isEqualTo(URI.create("http://127.0.0.1:9999"));
    assertThat(options.s3().connection().pathStyle()).isTrue();
    assertThat(options.s3().connection().accessKeyId()).isEqualTo("k");
  }

  @Test
  void theReadmeDocumentsEveryOptionWithItsVariableAndDefault() throws IOException {
    Path readme = Path.of("..", "README.md");
    assertThat(readme).as("worker/README.md (tests run from worker/service)").exists();
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    for (OptionKey option : OptionKey.values()) {
      String row =
          "| `"
              + option.key()
              + "` | `"
              + option.envName()
              + "` | "
              + (option.defaultValue().isEmpty() ? "" : "`" + option.defaultValue() + "`")
              + " |";
      assertThat(text).as("README row for " + option.key()).contains(row);
    }
  }

  private static WorkerOptions load(String key, String value) {
    return WorkerOptionsLoader.load(null, Map.of(), Map.of(key, value));
  }
}
