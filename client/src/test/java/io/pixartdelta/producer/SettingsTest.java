package io.pixartdelta.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class SettingsTest {
  @Test
  void producerIsIdempotentWithAcksAllWhateverTheExtras() {
    KafkaSettings s =
        KafkaSettings.of("localhost:9092")
            .withExtraProperties(Map.of("acks", "1", "enable.idempotence", "false"));
    var props = s.producerProperties();
    assertThat(props.get(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
    assertThat(props.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isEqualTo("true");
  }

  @Test
  void kafkaSettingsNameTheBadField() {
    assertThatThrownBy(() -> KafkaSettings.of(" ")).hasMessageStartingWith("bootstrapServers");
    assertThatThrownBy(() -> KafkaSettings.of("h:1").withTopics("bad topic", "s"))
        .hasMessageStartingWith("jobsTopic");
    assertThatThrownBy(() -> KafkaSettings.of("h:1").withTopics("same", "same"))
        .hasMessageStartingWith("statusTopic");
    assertThatThrownBy(() -> KafkaSettings.of("h:1").withConnectTimeout(Duration.ZERO))
        .hasMessageStartingWith("connectTimeout");
  }

  @Test
  void s3SettingsValidateAndHideTheSecret() {
    S3Settings s =
        S3Settings.defaults()
            .withEndpoint(URI.create("http://127.0.0.1:9000"))
            .withCredentials("id", "top-secret")
            .withControlLocation("renders", "controls/in");
    assertThat(s.toString()).doesNotContain("top-secret");
    assertThatThrownBy(() -> S3Settings.defaults().withCredentials("id", null))
        .hasMessageStartingWith("accessKeyId/secretAccessKey");
    assertThatThrownBy(() -> S3Settings.defaults().withControlLocation("Bad_Bucket", null))
        .hasMessageStartingWith("controlBucket");
    assertThatThrownBy(() -> S3Settings.defaults().withControlLocation("renders", "../up"))
        .hasMessageStartingWith("controlPrefix");
  }

  @Test
  void s3LocationsParse() {
    S3Location l = S3Location.parse("s3://renders/out/job-1/0.png");
    assertThat(l.bucket()).isEqualTo("renders");
    assertThat(l.key()).isEqualTo("out/job-1/0.png");
    assertThat(l.fileName()).isEqualTo("0.png");
    assertThat(l).hasToString("s3://renders/out/job-1/0.png");
    assertThatThrownBy(() -> S3Location.parse("http://x/y")).hasMessageContaining("s3://");
    assertThatThrownBy(() -> S3Location.parse("s3://bucket-only")).hasMessageContaining("key");
  }

  @Test
  void clientBuilderRejectsBadSettingsBeforeConnecting() {
    assertThatThrownBy(
            () -> RenderClient.builder("localhost:9092").defaultTimeout(Duration.ZERO).build())
        .hasMessageStartingWith("defaultTimeout");
    assertThatThrownBy(
            () ->
                RenderClient.builder("localhost:9092")
                    .statusLookBack(Duration.ofSeconds(-1))
                    .build())
        .hasMessageStartingWith("statusLookBack");
  }
}
