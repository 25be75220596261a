package io.pixartdelta.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Every kustomization a platform team would apply: the base, each overlay, and each overlay again
 * under a {@code namePrefix} (as a team that runs two fleets in one namespace would), rendered once
 * and cached.
 */
final class Overlays {
  static final Path K8S = Path.of("k8s");
  static final String PREFIX = "team-a-";
  private static final Path PREFIXED = Path.of("target", "prefixed-overlays");
  private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();

  private Overlays() {}

  /** Names: {@code base}, {@code overlays/NAME} and {@code prefixed/NAME}. */
  static Stream<String> all() {
    List<String> names = new ArrayList<>();
    names.add("base");
    for (String overlay : overlayNames()) {
      names.add("overlays/" + overlay);
      names.add("prefixed/" + overlay);
    }
    return names.stream();
  }

  static Stream<String> unprefixed() {
    return all().filter(name -> !name.startsWith("prefixed/"));
  }

  static List<String> overlayNames() {
    try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
      return dirs.filter(Kustomize::isKustomization)
          .map(dir -> dir.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Manifests rendered(String name) {
    return RENDERED.computeIfAbsent(name, n -> Kustomize.get().render(folder(n)));
  }

  static boolean isPrefixed(String name) {
    return name.startsWith("prefixed/");
  }

  static Path folder(String name) {
    if (name.equals("base")) {
      return K8S.resolve("base");
    }
    if (name.startsWith("overlays/")) {
      return K8S.resolve(name);
    }
    String overlay = name.substring("prefixed/".length());
    return writeKustomization(
        PREFIXED.resolve(overlay),
        "namePrefix: " + PREFIX + "\nresources:\n  - ../../../k8s/overlays/" + overlay + "\n");
  }

  /** Writes a throw-away kustomization under target/ (body: its fields after the header). */
  static Path writeKustomization(Path dir, String body) {
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("kustomization.yaml"),
          "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" + body);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
