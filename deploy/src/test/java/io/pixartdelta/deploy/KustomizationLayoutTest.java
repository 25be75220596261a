package io.pixartdelta.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** How the kustomizations are put together, beyond what one rendering shows. */
class KustomizationLayoutTest {
  private static final String KAFKA_TRIGGER = "kafka-trigger";

  @Test
  void everyComponentIsUsedByAnOverlaySoItIsRenderedAndChecked() throws IOException {
    Set<String> used = new HashSet<>();
    for (String overlay : Overlays.overlayNames()) {
      used.addAll(componentsOf(Overlays.K8S.resolve("overlays").resolve(overlay)));
    }
    try (Stream<Path> dirs = Files.list(Overlays.K8S.resolve("components"))) {
      List<String> components =
          dirs.filter(Kustomize::isKustomization).map(d -> d.getFileName().toString()).toList();
      assertThat(components).isNotEmpty();
      assertThat(used).containsAll(components);
    }
  }

  /** Components run after an overlay's own generators: the trigger must copy the final values. */
  @Test
  void theTriggerCopyComesLastInEveryOverlay() throws IOException {
    assertThat(Overlays.overlayNames()).hasSizeGreaterThanOrEqualTo(4);
    for (String overlay : Overlays.overlayNames()) {
      List<String> components = componentsOf(Overlays.K8S.resolve("overlays").resolve(overlay));
      assertThat(components).as(overlay).isNotEmpty().endsWith(KAFKA_TRIGGER);
    }
  }

  /** The trigger's Kafka address, group and topic are written only in the worker's options. */
  @Test
  void theScaledObjectRepeatsNoWorkerOption() throws IOException {
    String scaledObject = Files.readString(Overlays.K8S.resolve("base/scaledobject.yaml"));
    List<String> values = new ArrayList<>();
    for (String line : Files.readAllLines(Overlays.K8S.resolve("base/worker.env"))) {
      if (line.startsWith("PIXART_KAFKA_")) {
        values.add(line.substring(line.indexOf('=') + 1));
      }
    }
    assertThat(values).hasSizeGreaterThanOrEqualTo(3);
    for (String value : values) {
      assertThat(scaledObject).as(value).doesNotContain(value);
    }
  }

  /** Changing an option renames the ConfigMap, and the Deployment follows: the pods roll. */
  @Test
  void anOptionChangeRollsThePods() {
    Manifests before = Overlays.rendered("overlays/gpu-h100");
    Path edited =
        Overlays.writeKustomization(
            Path.of("target", "edited-overlay"),
            "resources:\n  - ../../k8s/overlays/gpu-h100\n"
                + "configMapGenerator:\n  - name: pixart-worker\n    behavior: merge\n"
                + "    literals:\n      - PIXART_WORKER_MAX_WAIT=200ms\n"
                + "components:\n  - ../../k8s/components/kafka-trigger\n");
    Manifests after = Kustomize.get().render(edited);
    String oldName = Manifests.nameOf(before.only("ConfigMap"));
    String newName = Manifests.nameOf(after.only("ConfigMap"));
    assertThat(newName).isNotEqualTo(oldName);
    assertThat(after.workerContainer().path("envFrom").findValuesAsText("name")).contains(newName);
  }

  private static List<String> componentsOf(Path dir) throws IOException {
    JsonNode kustomization =
        Manifests.parse(Files.readString(dir.resolve("kustomization.yaml"))).objects().get(0);
    List<String> names = new ArrayList<>();
    for (JsonNode component : kustomization.path("components")) {
      names.add(Path.of(component.asText()).getFileName().toString());
    }
    return names;
  }
}
