package io.pixartdelta.worker.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secured Kafka from Kubernetes: every {@code kafka.client.*} property can come from a {@code
 * PIXART_KAFKA_CLIENT_*} variable, so a Secret can feed {@code sasl.jaas.config} through {@code
 * secretKeyRef} (deploy/k8s/components/kafka-*).
 */
class KafkaClientEnvironmentTest {
  @TempDir Path dir;

  @Test
  void clientPropertiesComeFromTheEnvironment() {
    WorkerOptions options =
        WorkerOptionsLoader.load(
            null,
            Map.of(
                "PIXART_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "PIXART_KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512",
                "PIXART_KAFKA_CLIENT_SASL_JAAS_CONFIG",
                    " org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"u\" password=\"p\"; ",
                "PIXART_KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE", "PEM",
                "OTHER_VARIABLE", "ignored"),
            Map.of());

    assertThat(options.kafka().clientProperties())
        .containsOnly(
            Map.entry("security.protocol", "SASL_SSL"),
            Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
            Map.entry(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"u\" password=\"p\";"),
            Map.entry("ssl.truststore.type", "PEM"));
  }

  @Test
  void theEnvironmentBeatsTheFileAndTheCommandLineBeatsBoth() throws IOException {
    Path file = dir.resolve("worker.properties");
    Files.writeString(
        file, "kafka.client.security.protocol=SSL\nkafka.client.client.rack=use1-az1\n");

    WorkerOptions options =
        WorkerOptionsLoader.load(
            file,
            Map.of(
                "PIXART_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "PIXART_KAFKA_CLIENT_SASL_MECHANISM", "AWS_MSK_IAM"),
            Map.of("kafka.client.sasl.mechanism", "SCRAM-SHA-256"));

    assertThat(options.kafka().clientProperties())
        .containsOnly(
            Map.entry("security.protocol", "SASL_SSL"),
            Map.entry("client.rack", "use1-az1"),
            Map.entry("sasl.mechanism", "SCRAM-SHA-256"));
  }

  @Test
  void malformedVariablesAreErrorsNamingTheVariable() {
    for (String variable :
        new String[] {
          "PIXART_KAFKA_CLIENT_", "PIXART_KAFKA_CLIENT_sasl_mechanism", "PIXART_KAFKA_CLIENT__X"
        }) {
      assertThatThrownBy(() -> WorkerOptionsLoader.load(null, Map.of(variable, "x"), Map.of()))
          .isInstanceOf(OptionsException.class)
          .hasMessageContaining(variable)
          .hasMessageContaining("PIXART_KAFKA_CLIENT_SECURITY_PROTOCOL");
    }
  }
}
