package io.pixartdelta.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kustomize that renders the overlays: {@code $KUSTOMIZE} (a kustomize binary), else {@code
 * kustomize} on PATH, else {@code kubectl kustomize}. Version 5.1 or later: from 5.1 on, an
 * overlay's components run after its own configMapGenerator, which components/kafka-trigger needs.
 */
final class Kustomize {
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)");
  private static Kustomize instance;

  private final List<String> build;
  private final String version;

  private Kustomize(List<String> build, String version) {
    this.build = build;
    this.version = version;
  }

  static synchronized Kustomize get() {
    if (instance == null) {
      instance = find();
    }
    return instance;
  }

  /** The rendered manifests of a kustomization folder. */
  Manifests render(Path kustomization) {
    List<String> command = new ArrayList<>(build);
    command.add(kustomization.toAbsolutePath().toString());
    return Manifests.parse(Commands.output(command, kustomization));
  }

  String version() {
    return version;
  }

  private static Kustomize find() {
    String explicit = System.getenv("KUSTOMIZE");
    Optional<Path> binary =
        explicit != null && !explicit.isBlank()
            ? Optional.of(Path.of(explicit))
            : Commands.onPath("kustomize");
    Path here = Path.of(".");
    if (binary.isPresent()) {
      String path = binary.get().toString();
      return checked(List.of(path, "build"), Commands.output(List.of(path, "version"), here));
    }
    Optional<Path> kubectl = Commands.onPath("kubectl");
    if (kubectl.isPresent()) {
      String path = kubectl.get().toString();
      String versions = Commands.output(List.of(path, "version", "--client"), here);
      Matcher m = Pattern.compile("Kustomize Version: (\\S+)").matcher(versions);
      return checked(List.of(path, "kustomize"), m.find() ? m.group(1) : versions);
    }
    throw new AssertionError(
        "no kustomize found: install kubectl >= 1.28 or kustomize >= 5.1 (or set KUSTOMIZE to a"
            + " kustomize binary); deploy/README.md, 'Tests'");
  }

  private static Kustomize checked(List<String> build, String versionText) {
    Matcher m = VERSION.matcher(versionText);
    if (!m.find()) {
      throw new AssertionError("cannot read the kustomize version from: " + versionText);
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    if (major < 5 || (major == 5 && minor < 1)) {
      throw new AssertionError(
          "kustomize " + m.group() + " is too old: the overlays need >= 5.1 (" + build + ")");
    }
    return new Kustomize(build, m.group());
  }

  /** Whether a folder holds a kustomization. */
  static boolean isKustomization(Path dir) {
    return Files.isRegularFile(dir.resolve("kustomization.yaml"));
  }
}
