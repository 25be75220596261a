package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.image.EncodedImage;
import io.pixartdelta.pixart.image.ImageEncoder;
import io.pixartdelta.pixart.pipeline.BatchResult;
import io.pixartdelta.pixart.pipeline.GenerationRequest;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.pixart.schedulers.TimestepRule;
import io.pixartdelta.pixart.weights.Npy;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One-shot text → image without Kafka, printing per-stage timings. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Render one prompt to an image file (no Kafka, no S3).")
public final class RenderCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Checkpoint folder in diffusers layout (default: the bundled tiny test model).")
  Path model;

  @Option(names = "--prompt", required = true, description = "The caption.")
  String prompt;

  @Option(
      names = "--steps",
      defaultValue = "4",
      description = "LCM steps, 1-8 (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--seed", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--width",
      defaultValue = "1024",
      description = "Width in px (default ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = "--height",
      defaultValue = "1024",
      description = "Height in px (default ${DEFAULT-VALUE}).")
  int height;

  @Option(
      names = "--no-binning",
      description =
          "Render exactly width x height (multiples of 16) instead of the closest aspect bin.")
  boolean noBinning;

  @Option(
      names = "--latents",
      paramLabel = "FILE.npy",
      description = "Initial latents (1,4,H/8,W/8) to use instead of the seed's draw.")
  Path latents;

  @Option(
      names = "--save-latents",
      paramLabel = "FILE.npy",
      description = "Write the final latents (before the VAE) as .npy.")
  Path saveLatents;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "cpu or gpu:N (default ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--kernels",
      defaultValue = "plain",
      description = "Kernel backend: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  KernelChoice kernels;

  @Option(
      names = "--timestep-rule",
      defaultValue = "DIFFUSERS",
      description = "LCM timesteps: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  TimestepRule timestepRule;

  @Option(
      names = "--jpeg-quality",
      defaultValue = "90",
      description = "Quality when --out ends in .jpg/.jpeg.")
  int jpegQuality;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "Output image (.png, .jpg).")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    Device dev = Devices.parse(device);
    PipelineOptions options =
        PipelineOptions.forDevice(dev, kernels.create(dev)).withTimestepRule(timestepRule);
    GenerationRequest request =
        new GenerationRequest(prompt, seed, width, height, !noBinning, steps, 1, null);
    if (latents != null) {
      request = request.withInitialLatents(Npy.read(latents).toFloatArray());
    }
    long loadStart = System.nanoTime();
    try (PixArtPipeline pipeline = ModelSource.load(model, options)) {
      w.printf(
          Locale.ROOT,
          "loaded %s on %s (%s) in %d ms%n",
          pipeline.modelId(),
          dev,
          options.dtype(),
          (System.nanoTime() - loadStart) / 1_000_000);
      if (saveLatents != null) {
        try (NDManager m = NDManager.newBaseManager()) {
          NDArray finalLatents = pipeline.generateLatents(List.of(request), m);
          Npy.write(saveLatents, finalLatents);
          w.printf("wrote final latents %s to %s%n", finalLatents.getShape(), saveLatents);
        }
      }
      BatchResult result = pipeline.generate(List.of(request));
      String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
      ImageEncoder encoder =
          name.endsWith(".jpg") || name.endsWith(".jpeg")
              ? ImageEncoder.jpeg(jpegQuality)
              : ImageEncoder.png(ImageEncoder.DEFAULT_PNG_LEVEL);
      long encStart = System.nanoTime();
      EncodedImage image = encoder.encode(result.results().get(0).images().get(0));
      long encodeMs = (System.nanoTime() - encStart) / 1_000_000;
      if (out.toAbsolutePath().getParent() != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
      }
      Files.write(out, image.bytes());
      var t = result.timings();
      var r = result.results().get(0);
      w.printf(
          Locale.ROOT,
          "rendered %dx%d (model ran at %dx%d), seed %d, %d steps%n",
          width,
          height,
          r.renderWidth(),
          r.renderHeight(),
          seed,
          steps);
      w.printf(
          Locale.ROOT,
          "timings ms: text-encode %d, denoise %d (%.1f/step), decode %d, postprocess %d,"
              + " image-encode %d%n",
          t.textEncodeMs(),
          t.denoiseMs(),
          (double) t.denoiseMs() / steps,
          t.decodeMs(),
          t.postprocessMs(),
          encodeMs);
      w.printf("wrote %s (%d bytes, %s)%n", out, image.bytes().length, image.contentType());
      return 0;
    }
  }
}
