package io.pixartdelta.pixart.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.pipeline.BatchResult;
import io.pixartdelta.pixart.pipeline.GenerationRequest;
import io.pixartdelta.pixart.pipeline.ModelDirectory;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyModelWriterTest {

  private static Set<String> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void writesTheReferenceLayoutAndItRendersThroughTheRealLoader(@TempDir Path dir)
      throws IOException {
    Path model = TinyModelWriter.write(dir.resolve("tiny"), 0);
    assertThat(files(model)).isEqualTo(files(Fixtures.tinyModel()));
    try (PixArtPipeline p =
        PixArtPipeline.load(ModelDirectory.open(model), PipelineOptions.cpuReference())) {
      BatchResult r =
          p.generate(List.of(new GenerationRequest("a cat", 1, 64, 64, false, 2, 1, null)));
      assertThat(r.results().get(0).images().get(0).getWidth()).isEqualTo(64);
    }
  }

  @Test
  void theSameSeedWritesTheSameBytes(@TempDir Path dir) throws IOException {
    Path a = TinyModelWriter.write(dir.resolve("a"), 3);
    Path b = TinyModelWriter.write(dir.resolve("b"), 3);
    Path c = TinyModelWriter.write(dir.resolve("c"), 4);
    String weights = "transformer/diffusion_pytorch_model.safetensors";
    assertThat(Files.readAllBytes(a.resolve(weights)))
        .isEqualTo(Files.readAllBytes(b.resolve(weights)));
    assertThat(Files.readAllBytes(a.resolve(weights)))
        .isNotEqualTo(Files.readAllBytes(c.resolve(weights)));
  }
}
