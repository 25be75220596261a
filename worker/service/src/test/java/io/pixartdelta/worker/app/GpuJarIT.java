package io.pixartdelta.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged GPU jar: the worker and the model without the quick-start stack or a CPU libtorch,
 * and a command line that starts from {@code java -jar}.
 */
class GpuJarIT {
  private static Path jar() {
    String jar = System.getProperty("pixart.gpu.jar");
    assertThat(jar).as("system property pixart.gpu.jar (run through mvn verify)").isNotNull();
    Path path = Path.of(jar);
    assertThat(path).as("the GPU jar; build it with mvn package").isRegularFile();
    return path;
  }

  @Test
  void holdsTheWorkerAndTheModelButNoEmbeddedStackOrCpuLibtorch() throws IOException {
    List<String> names = new ArrayList<>();
    try (JarFile jar = new JarFile(jar().toFile())) {
      jar.stream().map(ZipEntry::getName).forEach(names::add);
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(WorkerMain.class.getName());
    }
    assertThat(names)
        .contains(
            "io/pixartdelta/worker/app/WorkerMain.class",
            "io/pixartdelta/pixart/pipeline/PixArtPipeline.class",
            "org/apache/kafka/clients/consumer/KafkaConsumer.class",
            "software/amazon/awssdk/services/s3/S3Client.class",
            "jnilib/linux-x86_64/cu128/libdjl_torch.so");
    assertThat(names)
        .noneMatch(n -> n.startsWith("io/pixartdelta/worker/embedded/"))
        .noneMatch(n -> n.startsWith("io/pixartdelta/worker/dev/"))
        .noneMatch(n -> n.startsWith("io/pixartdelta/producer/"))
        .noneMatch(n -> n.startsWith("org/gaul/"))
        .noneMatch(n -> n.startsWith("kafka/server/"))
        .noneMatch(n -> n.startsWith("scala/"))
        .noneMatch(n -> n.startsWith("org/junit/"))
        .noneMatch(n -> n.startsWith("jnilib/osx-"))
        .noneMatch(n -> n.contains("libtorch_cpu.so"));
  }

  @Test
  void startsFromJavaJarAndRefusesEmbeddedMode() throws Exception {
    assertThat(runJar("--help")).startsWith("0|").contains("run", "render", "bench");
    assertThat(runJar("run", "--set", "embedded=true"))
        .startsWith("2|")
        .contains("worker/target/pixart-worker.jar");
  }

  /** Exit code, a bar, then stdout and stderr. */
  private static String runJar(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return process.exitValue() + "|" + output;
  }
}
