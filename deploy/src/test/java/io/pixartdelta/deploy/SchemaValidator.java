package io.pixartdelta.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Validates rendered manifests against the Kubernetes, KEDA and Prometheus Operator schemas with
 * deploy/tools/validate.mjs (the schemas come pinned in deploy/tools/package-lock.json).
 */
final class SchemaValidator {
  static final Path TOOLS = Path.of("tools");

  private SchemaValidator() {}

  /** Exit code and report of the validator for one rendering. */
  static Commands.Result validate(Manifests manifests) {
    if (!Files.isDirectory(TOOLS.resolve("node_modules/kubernetes-models"))) {
      throw new AssertionError(
          "schema packages missing: run `npm ci --prefix deploy/tools` (deploy/README.md, 'Tests')");
    }
    if (Commands.onPath("node").isEmpty()) {
      throw new AssertionError("node (Node.js >= 20) is needed to validate the manifests");
    }
    try {
      Path file = Files.createTempFile("rendered", ".yaml");
      try {
        Files.writeString(file, manifests.text());
        return Commands.run(
            List.of("node", "validate.mjs", file.toAbsolutePath().toString()), TOOLS, Map.of());
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
