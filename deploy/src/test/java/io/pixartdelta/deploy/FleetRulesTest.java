package io.pixartdelta.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules a fleet must keep, checked on what kustomize renders for every overlay (and for every
 * overlay under a name prefix). Each rule is a defect once found in these manifests (issue 13).
 */
class FleetRulesTest {
  /** Native memory a GPU worker needs beside its heap: deploy/README.md, "Sizing". */
  static final long GPU_NATIVE_HEADROOM = 16 * Quantities.GIB;

  /** The same for the CPU overlay's tiny model (libtorch CPU, its arenas, the mapped weights). */
  static final long CPU_NATIVE_HEADROOM = 3 * Quantities.GIB / 2;

  static Stream<String> overlays() {
    return Overlays.all();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void rendersAndMatchesTheKubernetesAndKedaSchemas(String overlay) {
    Manifests m = Overlays.rendered(overlay);
    Commands.Result result = SchemaValidator.validate(m);
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(result.stdout()).contains("validated " + m.objects().size() + " objects, 0 invalid");
  }

  /** excludePersistentLag drops paused/uncommitted partitions exactly in a backlog. */
  @ParameterizedTest
  @MethodSource("overlays")
  void kedaCountsTheLagOfEveryPartition(String overlay) {
    JsonNode trigger = Overlays.rendered(overlay).trigger();
    assertThat(trigger.path("type").asText()).isIn("kafka", "apache-kafka");
    assertThat(trigger.path("metadata").has("excludePersistentLag")).isFalse();
    assertThat(trigger.path("metadata").path("lagThreshold").asText()).matches("[1-9]\\d*");
  }

  /** A replicas field would reset the KEDA-scaled fleet on every apply. */
  @ParameterizedTest
  @MethodSource("overlays")
  void theScaledDeploymentLeavesReplicasToKeda(String overlay) {
    assertThat(Overlays.rendered(overlay).only("Deployment").path("spec").has("replicas"))
        .isFalse();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyReferenceNamesARenderedObject(String overlay) {
    Manifests m = Overlays.rendered(overlay);
    JsonNode deployment = m.only("Deployment");
    JsonNode scaledObject = m.only("ScaledObject");
    assertThat(scaledObject.path("spec").path("scaleTargetRef").path("name").asText())
        .isEqualTo(Manifests.nameOf(deployment));
    for (JsonNode trigger : scaledObject.path("spec").path("triggers")) {
      if (trigger.has("authenticationRef")) {
        String auth = trigger.path("authenticationRef").path("name").asText();
        assertThat(m.named("TriggerAuthentication", auth)).as(auth).isPresent();
      }
    }
    for (JsonNode source : m.workerContainer().path("envFrom")) {
      if (source.has("configMapRef")) {
        String name = source.path("configMapRef").path("name").asText();
        assertThat(m.named("ConfigMap", name)).as(name).isPresent();
      }
    }
    Map<String, String> podLabels = labels(deployment.path("spec").path("template"));
    assertThat(podLabels).containsAllEntriesOf(selector(deployment));
    assertThat(podLabels).containsAllEntriesOf(selector(m.only("PodDisruptionBudget")));
    if (Overlays.isPrefixed(overlay)) {
      assertThat(m.objects())
          .allSatisfy(o -> assertThat(Manifests.nameOf(o)).startsWith("team-a-"));
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void aDisruptionBudgetLetsDrainsTakeOneWorkerAtATime(String overlay) {
    JsonNode spec = Overlays.rendered(overlay).only("PodDisruptionBudget").path("spec");
    assertThat(spec.has("minAvailable"))
        .as("minAvailable blocks drains of a 1-pod fleet")
        .isFalse();
    assertThat(spec.path("maxUnavailable").asInt()).isEqualTo(1);
  }

  /** The "restricted" Pod Security Standard, with a read-only root filesystem. */
  @ParameterizedTest
  @MethodSource("overlays")
  void thePodPassesTheRestrictedPodSecurityStandard(String overlay) {
    JsonNode pod = Overlays.rendered(overlay).podSpec();
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isPositive();
    assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText())
        .isEqualTo("RuntimeDefault");
    assertThat(pod.path("hostNetwork").asBoolean() || pod.path("hostPID").asBoolean()).isFalse();
    for (JsonNode volume : pod.path("volumes")) {
      assertThat(volume.has("hostPath")).as(volume.toString()).isFalse();
    }
    for (JsonNode container : pod.path("containers")) {
      JsonNode security = container.path("securityContext");
      assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
      assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
      assertThat(security.path("privileged").asBoolean()).isFalse();
      assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
      assertThat(texts(security.path("capabilities").path("drop"))).contains("ALL");
      assertThat(security.path("capabilities").path("add").size()).isZero();
    }
  }

  /** DJL unpacks native libraries at start: with a read-only root every such path is a volume. */
  @ParameterizedTest
  @MethodSource("overlays")
  void writablePathsAreSizedEmptyDirVolumes(String overlay) {
    Manifests m = Overlays.rendered(overlay);
    Map<String, Long> emptyDirs = new HashMap<>();
    for (JsonNode volume : m.podSpec().path("volumes")) {
      if (volume.has("emptyDir")) {
        String limit = volume.path("emptyDir").path("sizeLimit").asText();
        assertThat(limit).as("sizeLimit of " + volume).isNotEmpty();
        emptyDirs.put(volume.path("name").asText(), Quantities.kube(limit));
      }
    }
    List<String> writable = new ArrayList<>();
    for (JsonNode mount : m.workerContainer().path("volumeMounts")) {
      if (emptyDirs.containsKey(mount.path("name").asText())) {
        writable.add(mount.path("mountPath").asText());
      }
    }
    for (String path :
        new String[] {
          m.env("DJL_CACHE_DIR"), m.env("ENGINE_CACHE_DIR"), m.env("HOME"), "/tmp/any-file"
        }) {
      assertThat(path).isNotNull();
      assertThat(writable).anySatisfy(dir -> assertThat(path).startsWith(dir));
    }
    JsonNode resources = m.workerContainer().path("resources");
    long request = Quantities.kube(resources.path("requests").path("ephemeral-storage").asText());
    long limit = Quantities.kube(resources.path("limits").path("ephemeral-storage").asText());
    long volumes = emptyDirs.values().stream().mapToLong(Long::longValue).sum();
    assertThat(request).isPositive().isLessThanOrEqualTo(limit);
    assertThat(limit)
        .as("the volumes must fit the container's ephemeral storage")
        .isGreaterThan(volumes);
  }

  /**
   * An explicit heap, and the rest of the memory limit left to libtorch, CUDA and mapped weights.
   */
  @ParameterizedTest
  @MethodSource("overlays")
  void theHeapIsExplicitAndLeavesTheNativeHeadroom(String overlay) {
    Manifests m = Overlays.rendered(overlay);
    String options = m.env("JAVA_TOOL_OPTIONS");
    assertThat(options).doesNotContain("RAMPercentage").contains("-XX:+ExitOnOutOfMemoryError");
    long heap = Quantities.jvmFlag(options, "-Xmx");
    long direct = Quantities.jvmFlag(options, "-XX:MaxDirectMemorySize=");
    assertThat(heap).as("-Xmx").isGreaterThanOrEqualTo(Quantities.GIB);
    assertThat(direct).as("-XX:MaxDirectMemorySize").isPositive();
    JsonNode resources = m.workerContainer().path("resources");
    String limitText = resources.path("limits").path("memory").asText();
    assertThat(resources.path("requests").path("memory").asText()).isEqualTo(limitText);
    long headroom = Quantities.kube(limitText) - heap - direct;
    assertThat(headroom)
        .as("native headroom under the %s limit", limitText)
        .isGreaterThanOrEqualTo(usesGpu(m) ? GPU_NATIVE_HEADROOM : CPU_NATIVE_HEADROOM);
  }

  /**
   * GPU settings with the CUDA image and a GPU; CPU settings with the CPU image and small requests.
   */
  @ParameterizedTest
  @MethodSource("overlays")
  void theDeviceMatchesTheImageAndTheResources(String overlay) {
    Manifests m = Overlays.rendered(overlay);
    JsonNode config = m.workerConfig();
    String image = m.workerContainer().path("image").asText();
    JsonNode resources = m.workerContainer().path("resources");
    if (config.path("PIXART_MODEL_DEVICE").asText().startsWith("gpu")) {
      assertThat(image).endsWith("-cu128");
      assertThat(config.path("PIXART_MODEL_DTYPE").asText()).isEqualTo("fp16");
    } else {
      assertThat(config.path("PIXART_MODEL_DEVICE").asText()).isEqualTo("cpu");
      assertThat(config.path("PIXART_MODEL_DTYPE").asText()).isEqualTo("fp32");
      assertThat(image).endsWith("-cpu").doesNotContain("cu1");
      assertThat(usesGpu(m)).isFalse();
      assertThat(Quantities.kube(resources.path("requests").path("memory").asText()))
          .isLessThanOrEqualTo(4 * Quantities.GIB);
      assertThat(resources.path("requests").path("cpu").asText()).isIn("1", "2", "500m");
      assertThat(config.path("PIXART_MODEL_DIR").asText()).endsWith("/tiny");
    }
    if (overlay.contains("gpu-")) {
      assertThat(usesGpu(m)).isTrue();
      assertThat(resources.path("limits").path("nvidia.com/gpu").asInt()).isEqualTo(1);
    }
  }

  /** One place for Kafka's address, group and topic: the trigger copies the worker's options. */
  @ParameterizedTest
  @MethodSource("overlays")
  void theTriggerWatchesTheTopicAndGroupTheWorkersUse(String overlay) {
    Manifests m = Overlays.rendered(overlay);
    JsonNode config = m.workerConfig();
    JsonNode metadata = m.trigger().path("metadata");
    assertThat(metadata.path("bootstrapServers").asText())
        .isEqualTo(config.path("PIXART_KAFKA_BOOTSTRAP_SERVERS").asText());
    assertThat(metadata.path("consumerGroup").asText())
        .isEqualTo(config.path("PIXART_KAFKA_GROUP_ID").asText());
    assertThat(metadata.path("topic").asText())
        .isEqualTo(config.path("PIXART_KAFKA_JOBS_TOPIC").asText());
  }

  /** A content hash in the name rolls the pods when options change. */
  @ParameterizedTest
  @MethodSource("overlays")
  void theConfigMapNameCarriesAContentHash(String overlay) {
    Manifests m = Overlays.rendered(overlay);
    String prefix = Overlays.isPrefixed(overlay) ? Overlays.PREFIX : "";
    String name = Manifests.nameOf(m.only("ConfigMap"));
    assertThat(name).matches(Pattern.quote(prefix + "pixart-worker-") + "[a-z0-9]{10}");
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void imagesArePinnedToARelease(String overlay) {
    for (JsonNode container : Overlays.rendered(overlay).podSpec().path("containers")) {
      String image = container.path("image").asText();
      if (!image.contains("@sha256:")) {
        String lastSegment = image.substring(image.lastIndexOf('/') + 1);
        assertThat(lastSegment).as("tag of " + image).contains(":");
        assertThat(lastSegment.substring(lastSegment.indexOf(':') + 1)).isNotIn("", "latest");
      }
    }
  }

  /** Secured Kafka: the workers and KEDA both authenticate; secrets stay in Secrets. */
  @ParameterizedTest
  @MethodSource("overlays")
  void securedKafkaIsConfiguredForWorkersAndKeda(String overlay) {
    Manifests m = Overlays.rendered(overlay);
    JsonNode config = m.workerConfig();
    for (Map.Entry<String, JsonNode> e : config.properties()) {
      assertThat(e.getValue().asText()).as(e.getKey()).doesNotContainPattern("password=\"[^$]");
    }
    String protocol = config.path("PIXART_KAFKA_CLIENT_SECURITY_PROTOCOL").asText("PLAINTEXT");
    JsonNode trigger = m.trigger();
    if (!protocol.startsWith("SASL")) {
      assertThat(trigger.has("authenticationRef")).isFalse();
      return;
    }
    assertThat(protocol).isEqualTo("SASL_SSL");
    assertThat(trigger.path("metadata").path("tls").asText()).isEqualTo("enable");
    assertThat(trigger.has("authenticationRef")).isTrue();
    String mechanism = config.path("PIXART_KAFKA_CLIENT_SASL_MECHANISM").asText();
    if (mechanism.equals("AWS_MSK_IAM")) {
      assertThat(trigger.path("type").asText()).isEqualTo("apache-kafka");
      assertThat(trigger.path("metadata").path("sasl").asText()).isEqualTo("aws_msk_iam");
      assertThat(trigger.path("metadata").path("awsRegion").asText()).isNotEmpty();
      assertThat(
              m.only("TriggerAuthentication")
                  .path("spec")
                  .path("podIdentity")
                  .path("provider")
                  .asText())
          .isEqualTo("aws");
      assertThat(config.path("PIXART_KAFKA_CLIENT_SASL_JAAS_CONFIG").asText())
          .contains("IAMLoginModule");
      assertThat(config.path("PIXART_KAFKA_CLIENT_SASL_CLIENT_CALLBACK_HANDLER_CLASS").asText())
          .endsWith("IAMClientCallbackHandler");
    } else {
      assertThat(mechanism).isEqualTo("SCRAM-SHA-512");
      assertThat(trigger.path("metadata").path("sasl").asText()).isEqualTo("scram_sha512");
      assertThat(secretParameters(m.only("TriggerAuthentication")))
          .containsExactlyInAnyOrder("username", "password", "ca");
      String jaas = m.env("PIXART_KAFKA_CLIENT_SASL_JAAS_CONFIG");
      assertThat(jaas).contains("ScramLoginModule").contains("$(KAFKA_SASL_PASSWORD)");
      assertThat(secretEnvBefore(m, "PIXART_KAFKA_CLIENT_SASL_JAAS_CONFIG"))
          .contains("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD");
      String truststore = config.path("PIXART_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION").asText();
      assertThat(m.workerContainer().path("volumeMounts"))
          .anySatisfy(v -> assertThat(truststore).startsWith(v.path("mountPath").asText() + "/"));
    }
  }

  private static boolean usesGpu(Manifests m) {
    return m.workerContainer().path("resources").path("limits").has("nvidia.com/gpu");
  }

  private static List<String> secretParameters(JsonNode triggerAuthentication) {
    List<String> names = new ArrayList<>();
    for (JsonNode ref : triggerAuthentication.path("spec").path("secretTargetRef")) {
      names.add(ref.path("parameter").asText());
    }
    return names;
  }

  /** Names of env variables fed by secretKeyRef that come before {@code name} (for $(VAR)). */
  private static List<String> secretEnvBefore(Manifests m, String name) {
    List<String> names = new ArrayList<>();
    for (JsonNode var : m.workerContainer().path("env")) {
      if (name.equals(var.path("name").asText())) {
        return names;
      }
      if (var.path("valueFrom").has("secretKeyRef")) {
        names.add(var.path("name").asText());
      }
    }
    throw new AssertionError(name + " is not set in the worker's env");
  }

  private static Map<String, String> labels(JsonNode object) {
    return strings(object.path("metadata").path("labels"));
  }

  private static Map<String, String> selector(JsonNode object) {
    Map<String, String> labels = strings(object.path("spec").path("selector").path("matchLabels"));
    assertThat(labels).as("selector of " + Manifests.nameOf(object)).isNotEmpty();
    return labels;
  }

  private static Map<String, String> strings(JsonNode map) {
    Map<String, String> values = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      values.put(e.getKey(), e.getValue().asText());
    }
    return values;
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
