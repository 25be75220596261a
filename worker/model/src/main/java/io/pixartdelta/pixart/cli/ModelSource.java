package io.pixartdelta.pixart.cli;

import io.pixartdelta.pixart.pipeline.ControlNetFiles;
import io.pixartdelta.pixart.pipeline.ModelDirectory;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.pixart.tools.TinyModelWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the CLI gets its weights: a checkpoint folder, or the bundled tiny test model. */
public final class ModelSource {
  private ModelSource() {}

  /**
   * {@code modelDir} if given; otherwise a tiny random model in the real layout, written once to
   * {@code <tmp>/pixart-tiny-model} (tests and the quick start use it; images are noise).
   */
  public static Path resolve(Path modelDir) {
    if (modelDir != null) {
      return modelDir;
    }
    Path tiny = Path.of(System.getProperty("java.io.tmpdir"), "pixart-tiny-model");
    try {
      if (!Files.exists(tiny.resolve("model_index.json"))) {
        TinyModelWriter.write(tiny, 0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the tiny model to " + tiny, e);
    }
    return tiny;
  }

  public static PixArtPipeline load(Path modelDir, PipelineOptions options) {
    return load(modelDir, options, null);
  }

  /** Same, with a ControlNet branch when {@code controlNet} is not null. */
  public static PixArtPipeline load(
      Path modelDir, PipelineOptions options, ControlNetFiles controlNet) {
    return PixArtPipeline.load(ModelDirectory.open(resolve(modelDir)), options, controlNet);
  }
}
