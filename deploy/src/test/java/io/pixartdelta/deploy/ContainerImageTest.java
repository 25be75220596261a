package io.pixartdelta.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image build (deploy/image/Dockerfile), checked without Docker: its stages as text, and the
 * libtorch download script run for real against a local archive.
 */
class ContainerImageTest {
  static final Path IMAGE = Path.of("image");
  static final String LIBTORCH_URL =
      "https://download.pytorch.org/libtorch/cu128/libtorch-cxx11-abi-shared-with-deps-2.7.1%2Bcu128.zip";

  /** SHA-256 of that archive, as independent public build recipes pin it (see the Dockerfile). */
  private static final String LIBTORCH_SHA256 =
      "ae513b437ae99150744ef1d06b02a4ecbbb9275c9ffe540c88909623e3293041";

  @TempDir Path dir;

  @Test
  void buildsTheJarsInABuildStageAndEndsOnTheGpuImage() throws IOException {
    Map<String, String> stages = stages();
    assertThat(stages.keySet()).containsExactly("build", "libtorch", "cpu", "gpu");
    assertThat(stages.get("build")).containsPattern("(?m)^RUN .*\\bmvn .*package");
    assertThat(stages.get("gpu"))
        .contains("COPY --from=build /src/worker/target/pixart-worker-gpu.jar")
        .contains("COPY --from=libtorch /opt/libtorch /opt/libtorch")
        .doesNotContain("pixart-worker.jar /app")
        .contains("PYTORCH_LIBRARY_PATH=/opt/libtorch/lib")
        .contains("PYTORCH_FLAVOR=cu128")
        // fp32 GEMMs (T5's feed-forward output) on TF32: DJL has no other switch for it.
        .contains("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1");
    assertThat(stages.get("cpu")).contains("/src/worker/target/pixart-worker.jar");
    for (String stage : List.of("cpu", "gpu")) {
      assertThat(stages.get(stage))
          .as(stage)
          .containsPattern("(?m)^USER 10001$")
          .contains("DJL_CACHE_DIR=/var/cache/pixart")
          .doesNotContain("RAMPercentage");
    }
  }

  @Test
  void baseImagesArePinned() throws IOException {
    List<String> bases = new ArrayList<>();
    for (String line : Files.readAllLines(IMAGE.resolve("Dockerfile"))) {
      if (line.startsWith("ARG ") && line.contains("_IMAGE=")) {
        bases.add(line.substring(line.indexOf('=') + 1));
      } else if (line.startsWith("FROM ") && !line.contains("${")) {
        bases.add(line.split("\\s+")[1]);
      }
    }
    assertThat(bases).hasSizeGreaterThanOrEqualTo(4);
    assertThat(bases)
        .allSatisfy(base -> assertThat(base).matches("[^:]+:[0-9][^:]*").doesNotContain("latest"));
  }

  @Test
  void libtorchComesFromTheOfficialUrlPinnedToItsChecksum() throws IOException {
    String libtorch = stages().get("libtorch");
    assertThat(libtorch)
        .contains("ARG LIBTORCH_URL=" + LIBTORCH_URL + "\n")
        .contains("ARG LIBTORCH_SHA256=" + LIBTORCH_SHA256 + "\n")
        .contains("fetch-libtorch.sh \"${LIBTORCH_URL}\" /opt/libtorch");
  }

  @Test
  void theFetchRefusesToRunWithoutAChecksum() throws IOException {
    Path archive = libtorchZip();
    Commands.Result result = fetch(archive, "");
    assertThat(result.exitCode()).isEqualTo(65);
    assertThat(result.stderr()).contains("LIBTORCH_SHA256 must be the SHA-256");
    assertThat(dir.resolve("opt/libtorch")).doesNotExist();
  }

  @Test
  void theFetchRejectsAnArchiveWithAnotherChecksum() throws IOException {
    Path archive = libtorchZip();
    Commands.Result result = fetch(archive, "0".repeat(64));
    assertThat(result.exitCode()).isEqualTo(66);
    assertThat(result.stderr()).contains("SHA-256 mismatch").contains(sha256(archive));
    assertThat(dir.resolve("opt/libtorch")).doesNotExist();
  }

  @Test
  void theFetchUnpacksAVerifiedArchive() throws IOException {
    Path archive = libtorchZip();
    Commands.Result result = fetch(archive, sha256(archive));
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(dir.resolve("opt/libtorch/lib/libtorch.so")).hasContent("not really a library");
  }

  /** The context is the repository root: the build stage needs the sources, nothing built. */
  @Test
  void theBuildContextLeavesOutBuildOutputAndGit() throws IOException {
    List<String> patterns =
        Files.readAllLines(Path.of("..", ".dockerignore")).stream()
            .map(String::trim)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();
    assertThat(patterns).contains(".git", "**/target", "**/node_modules");
    assertThat(patterns)
        .noneMatch(p -> p.contains("src") || p.contains("pom.xml") || p.startsWith("deploy"));
  }

  private Commands.Result fetch(Path archive, String sha256) {
    return Commands.run(
        List.of(
            "sh",
            IMAGE.resolve("fetch-libtorch.sh").toAbsolutePath().toString(),
            archive.toUri().toString(),
            dir.resolve("opt/libtorch").toString()),
        dir,
        Map.of("LIBTORCH_SHA256", sha256));
  }

  private Path libtorchZip() throws IOException {
    Path zip = dir.resolve("libtorch.zip");
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream entries = new ZipOutputStream(out)) {
      entries.putNextEntry(new ZipEntry("libtorch/lib/libtorch.so"));
      entries.write("not really a library".getBytes(StandardCharsets.UTF_8));
      entries.closeEntry();
    }
    return zip;
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stage name to its lines (from its FROM to the next FROM). */
  private static Map<String, String> stages() throws IOException {
    Map<String, String> stages = new LinkedHashMap<>();
    String current = null;
    StringBuilder text = new StringBuilder();
    for (String line : Files.readAllLines(IMAGE.resolve("Dockerfile"))) {
      if (line.startsWith("FROM ")) {
        if (current != null) {
          stages.put(current, text.toString());
        }
        String[] words = line.split("\\s+");
        assertThat(words).as(line).hasSize(4);
        assertThat(words[2]).isEqualToIgnoringCase("AS");
        current = words[3];
        text.setLength(0);
      }
      text.append(line).append('\n');
    }
    stages.put(current, text.toString());
    return stages;
  }
}
