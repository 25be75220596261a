package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.image.ImagePostprocess;
import io.pixartdelta.pixart.image.ResizeAndCrop;
import io.pixartdelta.pixart.nn.Scalars;
import io.pixartdelta.pixart.random.TorchGenerator;
import io.pixartdelta.pixart.schedulers.DpmSolverConfig;
import io.pixartdelta.pixart.schedulers.DpmSolverMultistepScheduler;
import io.pixartdelta.pixart.schedulers.LcmConfig;
import io.pixartdelta.pixart.schedulers.LcmScheduler;
import io.pixartdelta.pixart.schedulers.Scheduler;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.pixart.schedulers.SchedulerOutput;
import io.pixartdelta.pixart.text.CaptionPreprocessor;
import io.pixartdelta.pixart.text.T5Encoder;
import io.pixartdelta.pixart.text.T5Tokenizer;
import io.pixartdelta.pixart.transformer.Conditions;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightSpec;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Text → image with PixArt-LCM (PixArt-δ): tokenizer → T5 → PixArt transformer with the LCM
 * scheduler → VAE decoder → 8-bit RGB. One entry point, {@link #generate}, in numbered stages that
 * follow diffusers' {@code PixArtAlphaPipeline.__call__}.
 *
 * <p>A call renders one micro-batch: every request must resolve to the same render size and step
 * count. Randomness is per image: image {@code i} of a request draws its initial latents and then
 * one noise tensor per step (all but the last) from its own {@link TorchGenerator} seeded with
 * {@code seed + i}, exactly as diffusers does with a list of CPU generators — so results never
 * depend on batch mates. Shapes: B images, C latent channels (4), H×W latent grid (pixels / 8).
 *
 * <p>Not thread-safe: one render thread owns a pipeline (a GPU runs one batch at a time anyway).
 */
public final class PixArtPipeline implements AutoCloseable {
  private static final int LATENT_CHANNELS = BatchPlan.LATENT_CHANNELS;
  private static final int VAE_SCALE = BatchPlan.VAE_SCALE;

  private final String modelId;
  private final PipelineOptions options;
  private final T5Tokenizer tokenizer;
  private final T5Encoder textEncoder;
  private final PixArtTransformer transformer;
  private final AutoencoderKl vae;
  private final LcmConfig lcmConfig;
  private final DpmSolverConfig dpmConfig;
  private final ControlBranch control; // null without a ControlNet
  private final PromptEncoder prompts;
  private final AspectRatioBins bins = AspectRatioBins.pixart1024();
  private final NDManager root;

  /** Draws a batch's step noise while the device runs its first forward pass. */
  private final ExecutorService noiseThread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "pixart-noise");
            t.setDaemon(true);
            return t;
          });

  private PixArtPipeline(
      String modelId,
      PipelineOptions options,
      T5Tokenizer tokenizer,
      T5Encoder textEncoder,
      PixArtTransformer transformer,
      AutoencoderKl vae,
      LcmConfig lcmConfig,
      DpmSolverConfig dpmConfig,
      ControlBranch control) {
    this.modelId = modelId;
    this.options = options;
    this.tokenizer = tokenizer;
    this.textEncoder = textEncoder;
    this.transformer = transformer;
    this.vae = vae;
    this.lcmConfig = lcmConfig;
    this.dpmConfig = dpmConfig;
    this.control = control;
    this.root = NDManager.newBaseManager(options.device());
    this.prompts =
        new PromptEncoder(
            tokenizer,
            textEncoder,
            CaptionPreprocessor.DEFAULT,
            options.promptCacheSize(),
            root.newSubManager());
  }

  /**
   * Loads every component of a diffusers-layout checkpoint folder onto the options' device.
   *
   * @throws io.pixartdelta.pixart.weights.WeightException naming the file and tensor if anything is
   *     missing or does not match
   */
  public static PixArtPipeline load(ModelDirectory model, PipelineOptions options) {
    return load(model, options, null);
  }

  /**
   * {@link #load(ModelDirectory, PipelineOptions)} plus the PixArt-δ ControlNet-Transformer branch
   * (when {@code controlNet} is not null), so requests may carry a control map.
   */
  public static PixArtPipeline load(
      ModelDirectory model, PipelineOptions options, ControlNetFiles controlNet) {
    // The checkpoint's scheduler config sets its own sampler; the other one runs with defaults.
    boolean dpmCheckpoint = isDpmConfig(model.schedulerConfig());
    LcmConfig lcm =
        dpmCheckpoint ? LcmConfig.pixartLcm() : LcmConfig.fromJson(model.schedulerConfig());
    DpmSolverConfig dpm =
        dpmCheckpoint
            ? DpmSolverConfig.fromJson(model.schedulerConfig())
            : DpmSolverConfig.pixartDefaults();
    OpenedComponents opened = new OpenedComponents();
    try {
      T5Tokenizer tokenizer = opened.add(T5Tokenizer.load(model.tokenizer()));
      T5Encoder t5 =
          opened.add(
              T5Encoder.load(
                  model.textEncoder(),
                  options.device(),
                  options.dtype(),
                  options.kernels(),
                  options.t5Weights()));
      PixArtTransformer transformer =
          opened.add(
              PixArtTransformer.load(
                  model.transformer(), options.device(), options.dtype(), options.kernels()));
      AutoencoderKl vae =
          opened.add(
              AutoencoderKl.load(
                  model.vae(), options.device(), options.dtype(), options.kernels()));
      ControlBranch branch =
          controlNet == null
              ? null
              : opened.add(ControlBranch.load(controlNet, transformer, vae, options));
      return new PixArtPipeline(
          model.modelId(), options, tokenizer, t5, transformer, vae, lcm, dpm, branch);
    } catch (RuntimeException e) {
      throw opened.closeAfter(e);
    }
  }

  /**
   * Assembles a pipeline from loaded components (e.g. random weights for benchmarks); the pipeline
   * takes ownership of them and closes them.
   */
  public static PixArtPipeline assemble(
      String modelId,
      PipelineOptions options,
      T5Tokenizer tokenizer,
      T5Encoder textEncoder,
      PixArtTransformer transformer,
      AutoencoderKl vae,
      LcmConfig lcmConfig) {
    return new PixArtPipeline(
        modelId,
        options,
        tokenizer,
        textEncoder,
        transformer,
        vae,
        lcmConfig,
        DpmSolverConfig.pixartDefaults(),
        null);
  }

  private static boolean isDpmConfig(Path schedulerConfig) {
    String cls =
        ConfigJson.read(
            schedulerConfig, "scheduler config", c -> ConfigJson.text(c, "_class_name", ""));
    return DpmSolverConfig.CLASS_NAME.equals(cls);
  }

  /** True if HED weights were loaded with the ControlNet ({@code hed} control maps work). */
  public boolean hasHed() {
    return control != null && control.hasHed();
  }

  /** True if the pipeline was loaded with a ControlNet. */
  public boolean hasControlNet() {
    return control != null;
  }

  /** Identifies the weights for provenance metadata (the model folder's name). */
  public String modelId() {
    return modelId;
  }

  /**
   * Device bytes of each component's weights, in load order: {@code text_encoder} as loaded (int8
   * values and scales in the 8 GB mode), {@code transformer} and {@code vae} as their parameter
   * counts × the compute type's size.
   */
  public Map<String, Long> weightBytes() {
    long typeBytes = options.dtype().getNumOfBytes();
    Map<String, Long> bytes = new LinkedHashMap<>();
    bytes.put("text_encoder", textEncoder.deviceBytes());
    bytes.put(
        "transformer",
        parameterCount(PixArtTransformer.weightSpec(transformer.config())) * typeBytes);
    bytes.put("vae", parameterCount(AutoencoderKl.weightSpec(vae.config())) * typeBytes);
    return bytes;
  }

  private static long parameterCount(WeightSpec spec) {
    long n = 0;
    for (Shape shape : spec.expected().values()) {
      n += shape.size();
    }
    return n;
  }

  public PipelineOptions options() {
    return options;
  }

  /** The render size a request resolves to (its bin, or itself without binning). */
  public AspectRatioBins.Bin renderSize(GenerationRequest request) {
    return BatchPlan.resolve(bins, request);
  }

  /**
   * The render size of a width × height request: its aspect-ratio bin, or the size itself without
   * binning.
   *
   * @throws IllegalArgumentException if a side is not positive, or without binning not a multiple
   *     of {@value AspectRatioBins#SIZE_MULTIPLE}
   */
  public AspectRatioBins.Bin renderSize(int width, int height, boolean binning) {
    return bins.resolve(height, width, binning);
  }

  /** Renders one micro-batch; all requests must share render size and step count. */
  public BatchResult generate(List<GenerationRequest> requests) {
    // 1. Check inputs: one shape for the whole batch, before touching the device.
    BatchPlan plan = BatchPlan.of(requests, bins, control != null);
    try (NDManager batch = root.newSubManager()) {
      // 2. Encode prompts (T5 once per distinct prompt); 3. draw the initial latents on the host
      // while T5 runs on the device.
      long t0 = System.nanoTime();
      Scheduler scheduler = scheduler(plan);
      PromptEncoder.Encoded text = encodePrompts(requests, batch);
      InitialNoise noise = drawNoise(requests, plan, scheduler);
      waitFor(text.embeddings());
      long t1 = System.nanoTime();
      // 4-5. Conditioning and the denoising loop.
      NDArray latents = denoise(requests, plan, text, noise, scheduler, batch); // (B, C, H, W)
      waitFor(latents);
      long t2 = System.nanoTime();
      // 6. Decode latents / scaling factor with the VAE.
      NDArray decoded = decode(latents); // (B, 3, Hbin, Wbin)
      waitFor(decoded);
      long t3 = System.nanoTime();
      // 7. Resize back to the requested size and convert to 8-bit RGB.
      List<GenerationResult> results = postprocess(requests, plan.size(), decoded);
      long t4 = System.nanoTime();
      return new BatchResult(
          results,
          new PipelineTimings(millis(t1 - t0), millis(t2 - t1), millis(t3 - t2), millis(t4 - t3)));
    }
  }

  /**
   * Stages 1–5 only: the final latents (B, C, H, W) as float32, attached to {@code manager}. For
   * {@code --save-latents} and parity checks against other implementations.
   */
  public NDArray generateLatents(List<GenerationRequest> requests, NDManager manager) {
    BatchPlan plan = BatchPlan.of(requests, bins, control != null);
    try (NDManager batch = root.newSubManager()) {
      Scheduler scheduler = scheduler(plan);
      PromptEncoder.Encoded text = encodePrompts(requests, batch);
      InitialNoise noise = drawNoise(requests, plan, scheduler);
      NDArray latents = denoise(requests, plan, text, noise, scheduler, batch);
      NDArray out = latents.toType(DataType.FLOAT32, true);
      out.attach(manager);
      return out;
    }
  }

  /**
   * Decodes latents (B, C, H, W) to the raw VAE output (B, 3, 8H, 8W) in about [−1, 1], attached to
   * the latents' manager.
   */
  public NDArray decode(NDArray latents) {
    NDArray z =
        Scalars.div(latents, vae.scalingFactor()).toType(options.dtype(), false); // (B, C, H, W)
    NDArray image = vae.decode(z, options.vaeMaxBatch()); // (B, 3, 8H, 8W)
    return image.toType(DataType.FLOAT32, false);
  }

  private PromptEncoder.Encoded encodePrompts(List<GenerationRequest> requests, NDManager batch) {
    List<String> rows = new ArrayList<>();
    for (GenerationRequest r : requests) {
      for (int i = 0; i < r.numImages(); i++) {
        rows.add(r.prompt());
      }
    }
    return prompts.encode(rows, batch);
  }

  /** One image's latent shape (1, C, H/8, W/8) at render size {@code size}. */
  private static Shape latentShape(AspectRatioBins.Bin size) {
    return new Shape(1, LATENT_CHANNELS, size.height() / VAE_SCALE, size.width() / VAE_SCALE);
  }

  /**
   * The transformer's inputs that stay fixed over the denoising loop, with the rows doubled to
   * [unconditional; text] under guidance: R = B, or 2B when guided.
   *
   * @param captions (R, L, Cc) T5 embeddings in the compute type
   * @param mask (R, L) caption mask
   * @param resolution (R, 2) micro-condition (height, width)
   * @param aspect (R, 1) micro-condition height / width
   * @param control (R, C, H, W) control latents, or {@code null} for a plain batch
   */
  private record Conditioning(
      NDArray captions, NDArray mask, NDArray resolution, NDArray aspect, NDArray control) {
    long rows() {
      return mask.getShape().get(0);
    }
  }

  /** Stage 4: micro-conditions, captions (doubled with the empty prompt when guided), control. */
  private Conditioning condition(
      List<GenerationRequest> requests,
      BatchPlan plan,
      PromptEncoder.Encoded text,
      NDManager batch) {
    int b = plan.images();
    int rows = plan.guided() ? 2 * b : b;
    AspectRatioBins.Bin size = plan.size();
    float[] res = new float[2 * rows];
    float[] ar = new float[rows];
    for (int i = 0; i < rows; i++) {
      res[2 * i] = size.height();
      res[2 * i + 1] = size.width();
      ar[i] = (float) size.height() / size.width();
    }
    DataType dtype = options.dtype();
    NDArray resolution = batch.create(res, new Shape(rows, 2)).toType(dtype, false); // (R, 2)
    NDArray aspect = batch.create(ar, new Shape(rows, 1)).toType(dtype, false); // (R, 1)
    NDArray captions = text.embeddings().toType(dtype, false); // (B, L, Cc)
    NDArray mask = text.mask(); // (B, L)
    if (plan.guided()) {
      // Negative prompt = "" as in the reference demos; its T5 embedding is cached like any prompt.
      PromptEncoder.Encoded uncond = prompts.encode(Collections.nCopies(b, ""), batch);
      captions =
          Guidance.doubled(uncond.embeddings().toType(dtype, false), captions); // (2B, L, Cc)
      mask = Guidance.doubled(uncond.mask(), mask); // (2B, L)
    }
    NDArray controlLatents = null;
    if (plan.controlled()) {
      controlLatents = control.latents(requests, batch, dtype); // (B, C, H, W)
      if (plan.guided()) {
        controlLatents = Guidance.doubled(controlLatents); // (2B, C, H, W)
      }
    }
    return new Conditioning(captions, mask, resolution, aspect, controlLatents);
  }

  private Scheduler scheduler(BatchPlan plan) {
    Scheduler s =
        plan.sampler() == SchedulerKind.LCM
            ? new LcmScheduler(lcmConfig, options.timestepRule())
            : new DpmSolverMultistepScheduler(dpmConfig);
    s.setTimesteps(plan.steps());
    return s;
  }

  /** Stage 3 on the host: initial latents and the noise of every step that takes noise. */
  private InitialNoise drawNoise(
      List<GenerationRequest> requests, BatchPlan plan, Scheduler scheduler) {
    int noiseSteps = 0;
    for (int k = 0; k < scheduler.timesteps().length; k++) {
      noiseSteps += scheduler.needsNoise(k) ? 1 : 0;
    }
    return InitialNoise.draw(requests, latentShape(plan.size()), noiseSteps, noiseThread);
  }

  private NDArray denoise(
      List<GenerationRequest> requests,
      BatchPlan plan,
      PromptEncoder.Encoded text,
      InitialNoise noise,
      Scheduler scheduler,
      NDManager batch) {
    NDArray latents = noise.initialLatents(batch); // (B, C, H, W) float32
    List<NDArray> stepNoise = null; // uploaded once, when the first forward pass is queued
    Conditioning c = condition(requests, plan, text, batch);
    int[] timesteps = scheduler.timesteps();
    DataType dtype = options.dtype();

    // 5. Denoising loop: ε̂ = first C output channels (guided: uncond + s·(text − uncond)), then
    // one scheduler step. Everything the loop needs is on the device already: no step waits for
    // the host.
    int noiseUsed = 0;
    for (int k = 0; k < timesteps.length; k++) {
      NDArray t = batch.full(new Shape(c.rows()), (float) timesteps[k]).toType(dtype, false); // (R)
      NDArray x = latents.toType(dtype, false); // (B, C, H, W)
      NDArray input = plan.guided() ? Guidance.doubled(x) : x; // (R, C, H, W)
      NDArray out = predict(plan, c, input, t); // (R, 2C, H, W)
      NDArray eps =
          out.split(new long[] {LATENT_CHANNELS}, 1).get(0).toType(DataType.FLOAT32, false);
      if (plan.guided()) {
        eps = Guidance.combineDoubled(eps, plan.guidanceScale()); // (B, C, H, W)
      }
      if (stepNoise == null && scheduler.needsNoise(k)) {
        stepNoise = noise.stepNoise(batch);
      }
      NDArray z = scheduler.needsNoise(k) ? stepNoise.get(noiseUsed++) : null;
      SchedulerOutput step = scheduler.step(eps, k, latents, z); // z: (B, C, H, W) or null
      latents = step.prevSample();
    }
    return latents;
  }

  /** One transformer forward, through the ControlNet branch for a controlled batch. */
  private NDArray predict(BatchPlan plan, Conditioning c, NDArray input, NDArray t) {
    Conditions conditions = new Conditions(c.captions(), c.mask(), c.resolution(), c.aspect());
    if (!plan.controlled()) {
      return transformer.forward(input, t, conditions);
    }
    return control.transformer().forward(input, t, conditions, c.control(), plan.controlScale());
  }

  private List<GenerationResult> postprocess(
      List<GenerationRequest> requests, AspectRatioBins.Bin size, NDArray decoded) {
    List<GenerationResult> results = new ArrayList<>();
    int row = 0;
    for (GenerationRequest r : requests) {
      NDArray mine =
          decoded.split(new long[] {row, row + r.numImages()}, 0).get(1); // (n, 3, Hbin, Wbin)
      row += r.numImages();
      if (r.binning() && (size.height() != r.height() || size.width() != r.width())) {
        mine = ResizeAndCrop.apply(mine, r.height(), r.width()); // (n, 3, h, w)
      }
      List<BufferedImage> images = ImagePostprocess.toRgb8(mine);
      List<Long> seeds = new ArrayList<>();
      for (int i = 0; i < r.numImages(); i++) {
        seeds.add(r.seed() + i);
      }
      results.add(new GenerationResult(images, seeds, size.height(), size.width()));
    }
    return results;
  }

  /**
   * Blocks until the device has computed {@code a} (reads one element), so stage timings are real
   * on asynchronous GPUs. Called between stages only, never inside the denoising loop.
   */
  private static void waitFor(NDArray a) {
    a.reshape(-1).get(0).toType(DataType.FLOAT32, false).toFloatArray(); // any dtype (fp16 too)
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  /** The manager every batch's arrays live under (tests count what is left on it). */
  NDManager rootManager() {
    return root;
  }

  /** Distinct prompts currently cached. */
  public int cachedPrompts() {
    return prompts.cachedPrompts();
  }

  @Override
  public void close() {
    noiseThread.shutdownNow();
    root.close();
    if (control != null) {
      control.close();
    }
    vae.close();
    transformer.close();
    textEncoder.close();
    tokenizer.close();
    if (options.kernels() instanceof AutoCloseable) {
      try {
        ((AutoCloseable) options.kernels()).close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot close the kernel backend", e);
      }
    }
  }
}
