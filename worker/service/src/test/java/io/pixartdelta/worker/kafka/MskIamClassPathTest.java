package io.pixartdelta.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.spi.LoginModule;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.junit.jupiter.api.Test;

/**
 * The MSK IAM deploy component names a login module and a callback handler that Kafka loads by name
 * at start: both must be on the worker's class path. The names are read from the component itself,
 * so the test follows any change there.
 */
class MskIamClassPathTest {
  private static final Path COMPONENT =
      Path.of("../../deploy/k8s/components/kafka-msk-iam/kustomization.yaml");
  private static final Pattern LITERAL = Pattern.compile("^\\s*- (PIXART_KAFKA_CLIENT_\\w+)=(.*)$");

  @Test
  void theLoginModuleAndCallbackHandlerOfTheMskIamComponentLoad() throws Exception {
    Map<String, String> settings = clientSettings();
    String jaas = settings.get("PIXART_KAFKA_CLIENT_SASL_JAAS_CONFIG");
    String handler = settings.get("PIXART_KAFKA_CLIENT_SASL_CLIENT_CALLBACK_HANDLER_CLASS");
    assertThat(jaas).as("sasl.jaas.config in %s", COMPONENT).isNotBlank();
    assertThat(handler).as("sasl.client.callback.handler.class in %s", COMPONENT).isNotBlank();

    // The login module's name as Kafka's own parser reads it from sasl.jaas.config.
    List<AppConfigurationEntry> entries =
        JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas)))
            .configurationEntries();
    assertThat(entries).hasSize(1);
    String loginModule = entries.get(0).getLoginModuleName();
    assertThat(loginModule).startsWith("software.amazon.msk.");

    ClassLoader loader = MskIamClassPathTest.class.getClassLoader();
    assertThat(Class.forName(loginModule, false, loader)).isAssignableTo(LoginModule.class);
    assertThat(Class.forName(handler, false, loader))
        .isAssignableTo(AuthenticateCallbackHandler.class);
  }

  private static Map<String, String> clientSettings() throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String line : Files.readAllLines(COMPONENT)) {
      Matcher m = LITERAL.matcher(line);
      if (m.matches()) {
        settings.put(m.group(1), m.group(2).strip());
      }
    }
    return settings;
  }
}
