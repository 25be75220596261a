package io.pixartdelta.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests under {@code deploy/} only name environment variables the worker reads:
 * a misspelt {@code PIXART_*} variable would be silently ignored and the pod would run with the
 * default instead (a CPU overlay once set {@code PIXART_DEVICE}, leaving the device on the GPU).
 * Kafka client properties ({@code PIXART_KAFKA_CLIENT_*}) follow their own naming rule. The
 * rendered overlays are checked in the {@code deploy} module.
 */
class DeployConfigTest {
  private static final Path DEPLOY = Path.of("..", "..", "deploy");
  private static final Pattern VARIABLE = Pattern.compile("PIXART_[A-Z0-9_]+");

  /** Read outside {@link OptionKey}: the health port is a command-line option's default. */
  private static final Set<String> COMMAND_LINE_VARIABLES = Set.of("PIXART_HEALTH_PORT");

  @Test
  void everyWorkerVariableInTheManifestsIsAnOption() throws IOException {
    Set<String> known =
        Arrays.stream(OptionKey.values()).map(OptionKey::envName).collect(Collectors.toSet());
    Map<String, String> unknown = new TreeMap<>();
    int seen = 0;
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      for (Path file : files.filter(DeployConfigTest::isManifest).toList()) {
        Matcher m = VARIABLE.matcher(read(file));
        while (m.find()) {
          seen++;
          String name = m.group();
          if (!known.contains(name)
              && !COMMAND_LINE_VARIABLES.contains(name)
              && !isKafkaClientVariable(name)) {
            unknown.put(name, DEPLOY.relativize(file).toString());
          }
        }
      }
    }
    assertThat(seen).as("PIXART_* variables found under deploy/").isGreaterThan(10);
    assertThat(unknown).as("variables the worker does not read, with a file naming each").isEmpty();
  }

  private static boolean isKafkaClientVariable(String name) {
    try {
      return OptionKey.kafkaClientKeyOfEnv(name) != null;
    } catch (OptionsException e) {
      return false; // the worker would refuse to start: report it with the unknown names
    }
  }

  private static boolean isManifest(Path p) {
    String name = p.getFileName().toString();
    return Files.isRegularFile(p)
        && (name.endsWith(".yaml")
            || name.endsWith(".yml")
            || name.endsWith(".env")
            || name.equals("Dockerfile"));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
