package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.pixartdelta.pixart.control.ControlImageLimits;
import io.pixartdelta.pixart.control.ControlImagePreparer;
import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.control.PreparedControlImage;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.image.EncodedImage;
import io.pixartdelta.pixart.image.ImageEncoder;
import io.pixartdelta.pixart.pipeline.BatchResult;
import io.pixartdelta.pixart.pipeline.ControlCondition;
import io.pixartdelta.pixart.pipeline.ControlNetFiles;
import io.pixartdelta.pixart.pipeline.GenerationRequest;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.pixart.schedulers.TimestepRule;
import io.pixartdelta.pixart.weights.Npy;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One-shot text → image without Kafka, printing per-stage timings. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Render one prompt to an image file (no Kafka, no S3).")
public final class RenderCommand implements Callable<Integer> {
  private static final int DEFAULT_SIZE = 1024;

  @Spec CommandSpec spec;

  @Mixin RuntimeOptions runtime;

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
      description = "Width in px (default 1024; with --control, the control image's width).")
  Integer width;

  @Option(
      names = "--height",
      description = "Height in px (default 1024; with --control, the control image's height).")
  Integer height;

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
      names = "--controlnet",
      paramLabel = "PATH",
      description = "ControlNet adapter folder or the official PixArt-XL-2-1024-ControlNet.pth.")
  Path controlnet;

  @Option(
      names = "--control",
      paramLabel = "FILE",
      description = "Control image (needs --controlnet).")
  Path control;

  @Option(
      names = "--control-type",
      defaultValue = "edges",
      description = "edges (the image is an edge map), hed or canny (default ${DEFAULT-VALUE}).")
  String controlType;

  @Option(names = "--control-scale", defaultValue = "1.0", description = "Conditioning scale 0-2.")
  float controlScale;

  @Option(
      names = "--hed",
      paramLabel = "PATH",
      description = "HED weights (ControlNetHED.pth) for --control-type hed.")
  Path hed;

  @Option(
      names = "--sampler",
      defaultValue = "lcm",
      description = "lcm or dpm-solver (default ${DEFAULT-VALUE}).")
  String sampler;

  @Option(
      names = "--guidance",
      description = "Classifier-free guidance scale (default: 0 for lcm, 4.5 for dpm-solver).")
  Float guidance;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "Output image (.png, .jpg).")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    Device dev = runtime.device();
    PipelineOptions options = runtime.pipelineOptions(dev).withTimestepRule(timestepRule);
    if ((width == null) != (height == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--width and --height go together");
    }
    boolean sized = width != null;
    GenerationRequest request =
        new GenerationRequest(
            prompt,
            seed,
            sized ? width : DEFAULT_SIZE,
            sized ? height : DEFAULT_SIZE,
            !noBinning,
            steps,
            1,
            null);
    SchedulerKind s = SchedulerKind.fromWire(sampler);
    request = request.withSampler(s, guidance == null ? s.defaultGuidance() : guidance);
    if (latents != null) {
      request = request.withInitialLatents(Npy.read(latents).toFloatArray());
    }
    if (control != null && controlnet == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--control needs --controlnet");
    }
    if (control != null && noBinning && !sized) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--no-binning with --control needs --width and --height (multiples of 16): without"
              + " them the control image picks an aspect-ratio bin");
    }
    if (control != null) {
      ControlImagePreparer preparer = new ControlImagePreparer(ControlImageLimits.defaults());
      byte[] bytes = Files.readAllBytes(control);
      PreparedControlImage prepared;
      if (sized) {
        // The flags win: the control image is fitted to the bin the requested size renders at.
        prepared =
            preparer.prepare(
                bytes, AspectRatioBins.pixart1024().resolve(height, width, !noBinning));
      } else {
        // No size given: the control image picks the bin and the output size, as the reference
        // demo does.
        prepared = preparer.prepare(bytes);
        request =
            new GenerationRequest(
                prompt,
                seed,
                prepared.sourceWidth(),
                prepared.sourceHeight(),
                true,
                steps,
                1,
                request.initialLatents(),
                request.sampler(),
                request.guidanceScale(),
                null);
      }
      request =
          request.withControl(
              new ControlCondition(prepared, ControlMapKind.fromWire(controlType), controlScale));
    }
    long loadStart = System.nanoTime();
    ControlNetFiles controlFiles = controlnet == null ? null : new ControlNetFiles(controlnet, hed);
    try (PixArtPipeline pipeline = ModelSource.load(model, options, controlFiles)) {
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
          request.width(),
          request.height(),
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
