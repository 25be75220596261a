package io.pixartdelta.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs the external tools the deployment checks need (kustomize, node) and finds them on PATH. */
final class Commands {
  /** Stdout and exit code of a finished command; stderr is folded into the failure message. */
  record Result(int exitCode, String stdout, String stderr) {}

  private Commands() {}

  static Result run(List<String> command, Path workDir, Map<String, String> environment) {
    try {
      Path err = Files.createTempFile("deploy-cmd", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command).directory(workDir.toFile()).redirectError(err.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("timed out: " + command);
        }
        return new Result(process.exitValue(), out, Files.readString(err));
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }

  /** Output of a command that must succeed. */
  static String output(List<String> command, Path workDir) {
    Result result = run(command, workDir, Map.of());
    if (result.exitCode() != 0) {
      throw new AssertionError(
          String.join(" ", command)
              + " failed with exit code "
              + result.exitCode()
              + ":\n"
              + result.stderr()
              + result.stdout());
    }
    return result.stdout();
  }

  static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
