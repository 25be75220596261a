package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.control.CannyEdges;
import io.pixartdelta.pixart.control.ControlEncoder;
import io.pixartdelta.pixart.control.HedDetector;
import io.pixartdelta.pixart.controlnet.ControlNetAdapter;
import io.pixartdelta.pixart.controlnet.PixArtControlNetTransformer;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.image.ImagePostprocess;
import io.pixartdelta.pixart.image.ResizeAndCrop;
import io.pixartdelta.pixart.random.TorchGenerator;
import io.pixartdelta.pixart.schedulers.DpmSolverConfig;
import io.pixartdelta.pixart.schedulers.DpmSolverMultistepScheduler;
import io.pixartdelta.pixart.schedulers.LcmConfig;
import io.pixartdelta.pixart.schedulers.LcmScheduler;
import io.pixartdelta.pixart.schedulers.SchedulerOutput;
import io.pixartdelta.pixart.text.CaptionPreprocessor;
import io.pixartdelta.pixart.text.T5Encoder;
import io.pixartdelta.pixart.text.T5Tokenizer;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.WeightSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  private static final int LATENT_CHANNELS = 4;
  private static final int VAE_SCALE = 8;

  private final String modelId;
  private final PipelineOptions options;
  private final T5Tokenizer tokenizer;
  private final T5Encoder textEncoder;
  private final PixArtTransformer transformer;
  private final AutoencoderKl vae;
  private final LcmConfig schedulerConfig;
  private final DpmSolverConfig dpmConfig;
  private final PromptEncoder prompts;
  private final AspectRatioBins bins = AspectRatioBins.pixart1024();
  private final NDManager root;
  private ControlNetAdapter controlAdapter;
  private HedDetector hed;
  private PixArtControlNetTransformer controlNet;
  private ControlEncoder controlEncoder;

  private PixArtPipeline(
      String modelId,
      PipelineOptions options,
      T5Tokenizer tokenizer,
      T5Encoder textEncoder,
      PixArtTransformer transformer,
      AutoencoderKl vae,
      LcmConfig schedulerConfig,
      DpmSolverConfig dpmConfig) {
    this.modelId = modelId;
    this.dpmConfig = dpmConfig;
    this.options = options;
    this.tokenizer = tokenizer;
    this.textEncoder = textEncoder;
    this.transformer = transformer;
    this.vae = vae;
    this.schedulerConfig = schedulerConfig;
    this.prompts =
        new PromptEncoder(
            tokenizer, textEncoder, CaptionPreprocessor.DEFAULT, options.promptCacheSize());
    this.root = NDManager.newBaseManager(options.device());
  }

  /**
   * Loads every component of a diffusers-layout checkpoint folder onto the options' device.
   *
   * @throws io.pixartdelta.pixart.weights.WeightException naming the file and tensor if anything is
   *     missing or does not match
   */
  public static PixArtPipeline load(ModelDirectory model, PipelineOptions options) {
    // The checkpoint's scheduler config sets its own sampler; the other one runs with defaults.
    boolean dpmCheckpoint = isDpmConfig(model.schedulerConfig());
    LcmConfig schedulerConfig =
        dpmCheckpoint ? LcmConfig.pixartLcm() : LcmConfig.fromJson(model.schedulerConfig());
    DpmSolverConfig dpm =
        dpmCheckpoint
            ? DpmSolverConfig.fromJson(model.schedulerConfig())
            : DpmSolverConfig.pixartDefaults();
    T5Tokenizer tokenizer = T5Tokenizer.load(model.tokenizer());
    List<AutoCloseable> opened = new ArrayList<>();
    opened.add(tokenizer);
    try {
      T5Encoder t5 =
          T5Encoder.load(
              model.textEncoder(),
              options.device(),
              options.dtype(),
              options.kernels(),
              options.t5Weights());
      opened.add(t5);
      PixArtTransformer transformer =
          PixArtTransformer.load(
              model.transformer(), options.device(), options.dtype(), options.kernels());
      opened.add(transformer);
      AutoencoderKl vae =
          AutoencoderKl.load(model.vae(), options.device(), options.dtype(), options.kernels());
      return new PixArtPipeline(
          model.modelId(), options, tokenizer, t5, transformer, vae, schedulerConfig, dpm);
    } catch (RuntimeException e) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
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
      LcmConfig schedulerConfig) {
    return new PixArtPipeline(
        modelId,
        options,
        tokenizer,
        textEncoder,
        transformer,
        vae,
        schedulerConfig,
        DpmSolverConfig.pixartDefaults());
  }

  private static boolean isDpmConfig(Path schedulerConfig) {
    try {
      String cls =
          new ObjectMapper()
              .readTree(Files.readString(schedulerConfig))
              .path("_class_name")
              .asText("");
      return DpmSolverConfig.CLASS_NAME.equals(cls);
    } catch (IOException e) {
      throw new WeightException("cannot read " + schedulerConfig + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads the PixArt-δ ControlNet-Transformer branch so requests may carry a control map.
   *
   * @param adapter a diffusers-style adapter folder or the official original-layout {@code .pth}
   *     (its adapter part; the base transformer stays this pipeline's)
   * @param hedWeights HED detector weights ({@code ControlNetHED.pth} or safetensors), or null:
   *     {@code hed} control maps then fail with a clear error while {@code edges} and {@code canny}
   *     work
   */
  public void loadControlNet(Path adapter, Path hedWeights) {
    if (controlAdapter != null) {
      throw new IllegalStateException("a ControlNet is already loaded");
    }
    ControlNetAdapter a =
        ControlNetAdapter.load(
            adapter, transformer.config(), options.device(), options.dtype(), options.kernels());
    try {
      HedDetector h =
          hedWeights == null
              ? null
              : HedDetector.load(hedWeights, options.device(), options.dtype());
      this.controlNet = new PixArtControlNetTransformer(transformer, a);
      this.controlEncoder = new ControlEncoder(vae, h, CannyEdges.withDefaults());
      this.controlAdapter = a;
      this.hed = h;
    } catch (RuntimeException e) {
      a.close();
      throw e;
    }
  }

  /** True if HED weights were loaded with the ControlNet ({@code hed} control maps work). */
  public boolean hasHed() {
    return hed != null;
  }

  /** True once {@link #loadControlNet} succeeded. */
  public boolean hasControlNet() {
    return controlNet != null;
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
    return bins.resolve(request.height(), request.width(), request.binning());
  }

  /** Renders one micro-batch; all requests must share render size and step count. */
  public BatchResult generate(List<GenerationRequest> requests) {
    // 1. Check inputs: one shape for the whole batch, before touching the device.
    AspectRatioBins.Bin size = checkInputs(requests);
    try (NDManager batch = root.newSubManager()) {
      // 2. Encode prompts (T5 once per distinct prompt).
      long t0 = System.nanoTime();
      PromptEncoder.Encoded text = encodePrompts(requests, batch);
      long t1 = System.nanoTime();
      // 3-5. Prepare latents, denoise.
      NDArray latents = denoise(requests, size, text, batch); // (B, C, H, W)
      waitFor(latents);
      long t2 = System.nanoTime();
      // 6. Decode latents / scaling factor with the VAE.
      NDArray decoded = decode(latents); // (B, 3, Hbin, Wbin)
      waitFor(decoded);
      long t3 = System.nanoTime();
      // 7. Resize back to the requested size and convert to 8-bit RGB.
      List<GenerationResult> results = postprocess(requests, size, decoded);
      long t4 = System.nanoTime();
      return new BatchResult(
          results,
          new StageTimings(millis(t1 - t0), millis(t2 - t1), millis(t3 - t2), millis(t4 - t3)));
    }
  }

  /**
   * Stages 1–5 only: the final latents (B, C, H, W) as float32, attached to {@code manager}. For
   * {@code --save-latents} and parity checks against other implementations.
   */
  public NDArray generateLatents(List<GenerationRequest> requests, NDManager manager) {
    AspectRatioBins.Bin size = checkInputs(requests);
    try (NDManager batch = root.newSubManager()) {
      PromptEncoder.Encoded text = encodePrompts(requests, batch);
      NDArray latents = denoise(requests, size, text, batch);
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
    NDArray z = latents.div(vae.scalingFactor()).toType(options.dtype(), false); // (B, C, H, W)
    NDArray image = vae.decode(z, options.vaeMaxBatch()); // (B, 3, 8H, 8W)
    return image.toType(DataType.FLOAT32, false);
  }

  private AspectRatioBins.Bin checkInputs(List<GenerationRequest> requests) {
    if (requests == null || requests.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one request");
    }
    AspectRatioBins.Bin first = renderSize(requests.get(0));
    int steps = requests.get(0).steps();
    GenerationRequest head = requests.get(0);
    for (GenerationRequest r : requests) {
      if ((r.control() == null) != (head.control() == null)
          || (r.control() != null && r.control().scale() != head.control().scale())) {
        throw new IllegalArgumentException(
            "a batch must be all controlled (with one conditioning scale) or all plain");
      }
      if (r.control() != null) {
        if (controlNet == null) {
          throw new IllegalArgumentException("this pipeline has no ControlNet loaded");
        }
        AspectRatioBins.Bin bin = renderSize(r);
        if (r.control().image().height() != bin.height()
            || r.control().image().width() != bin.width()) {
          throw new IllegalArgumentException(
              "control image prepared at "
                  + r.control().image().height()
                  + "x"
                  + r.control().image().width()
                  + " but the request renders at "
                  + bin.height()
                  + "x"
                  + bin.width());
        }
      }
      if (r.sampler() != head.sampler() || r.guidanceScale() != head.guidanceScale()) {
        throw new IllegalArgumentException(
            "a batch must share sampler and guidance scale: "
                + head.sampler().wire()
                + "/"
                + head.guidanceScale()
                + " vs "
                + r.sampler().wire()
                + "/"
                + r.guidanceScale());
      }
      AspectRatioBins.Bin b = renderSize(r);
      if (b.height() != first.height() || b.width() != first.width() || r.steps() != steps) {
        throw new IllegalArgumentException(
            "a batch must share render size and steps: "
                + first.height()
                + "x"
                + first.width()
                + "/"
                + steps
                + " vs "
                + b.height()
                + "x"
                + b.width()
                + "/"
                + r.steps());
      }
      if (r.initialLatents() != null) {
        long expected =
            (long) r.numImages()
                * LATENT_CHANNELS
                * (b.height() / VAE_SCALE)
                * (b.width() / VAE_SCALE);
        if (r.initialLatents().length != expected) {
          throw new IllegalArgumentException(
              "initial latents have "
                  + r.initialLatents().length
                  + " values, expected "
                  + expected
                  + " for "
                  + r.numImages()
                  + "x"
                  + LATENT_CHANNELS
                  + "x"
                  + b.height() / VAE_SCALE
                  + "x"
                  + b.width() / VAE_SCALE);
        }
      }
    }
    return first;
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

  private NDArray denoise(
      List<GenerationRequest> requests,
      AspectRatioBins.Bin size,
      PromptEncoder.Encoded text,
      NDManager batch) {
    int h = size.height() / VAE_SCALE;
    int w = size.width() / VAE_SCALE;
    Shape one = new Shape(1, LATENT_CHANNELS, h, w);

    // 3. Prepare latents: one generator per image, initial draw first (init_noise_sigma = 1).
    List<TorchGenerator> generators = new ArrayList<>();
    NDList initial = new NDList();
    for (GenerationRequest r : requests) {
      for (int i = 0; i < r.numImages(); i++) {
        TorchGenerator g = new TorchGenerator(r.seed() + i);
        generators.add(g);
        float[] values;
        if (r.initialLatents() != null) {
          int per = Math.toIntExact(one.size());
          values = new float[per];
          System.arraycopy(r.initialLatents(), i * per, values, 0, per);
        } else {
          values = g.randn(one.getShape());
        }
        initial.add(batch.create(values, one)); // (1, C, H, W)
      }
    }
    int b = generators.size();
    NDArray latents = NDArrays.concat(initial, 0); // (B, C, H, W) float32

    // 4. Timesteps, micro-conditions and (with guidance) the doubled [unconditional; text] batch.
    GenerationRequest head = requests.get(0);
    boolean lcm = head.sampler() == Sampler.LCM;
    LcmScheduler lcmScheduler = null;
    DpmSolverMultistepScheduler dpm = null;
    int[] timesteps;
    if (lcm) {
      lcmScheduler = new LcmScheduler(schedulerConfig);
      lcmScheduler.setTimesteps(head.steps(), options.timestepRule());
      timesteps = lcmScheduler.timesteps();
    } else {
      dpm = new DpmSolverMultistepScheduler(dpmConfig);
      dpm.setTimesteps(head.steps());
      timesteps = dpm.timesteps();
    }
    boolean guided = head.guided();
    int rows = guided ? 2 * b : b;
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
    if (guided) {
      // Negative prompt = "" as in the reference demos; its T5 embedding is cached like any prompt.
      List<String> empty = new ArrayList<>();
      for (int i = 0; i < b; i++) {
        empty.add("");
      }
      PromptEncoder.Encoded uncond = prompts.encode(empty, batch);
      captions =
          Guidance.doubled(uncond.embeddings().toType(dtype, false), captions); // (2B, L, Cc)
      mask = Guidance.doubled(uncond.mask(), mask); // (2B, L)
    }

    // Control latents: edge map → VAE posterior mean × scaling factor, one row per image.
    NDArray controlLatents = null;
    if (head.control() != null) {
      NDList rowsOfControl = new NDList();
      for (GenerationRequest r : requests) {
        NDArray image = r.control().image().toNDArray(batch).toType(dtype, false); // (1, 3, H, W)
        NDArray latent = controlEncoder.encode(image, r.control().type()); // (1, C, H/8, W/8)
        for (int i = 0; i < r.numImages(); i++) {
          rowsOfControl.add(latent);
        }
      }
      controlLatents = NDArrays.concat(rowsOfControl, 0).toType(dtype, false); // (B, C, H, W)
      if (guided) {
        controlLatents = Guidance.doubled(controlLatents); // (2B, C, H, W)
      }
    }

    // 5. Denoising loop: ε̂ = first C output channels (guided: uncond + s·(text − uncond)); then an
    // LCM step with per-image noise, or a deterministic DPM-Solver++ step.
    for (int k = 0; k < timesteps.length; k++) {
      NDArray t = batch.full(new Shape(rows), (float) timesteps[k]).toType(dtype, false); // (R)
      NDArray x = latents.toType(dtype, false); // (B, C, H, W)
      NDArray input = guided ? Guidance.doubled(x) : x; // (R, C, H, W)
      NDArray out =
          controlLatents == null
              ? transformer.forward(input, t, captions, mask, resolution, aspect)
              : controlNet.forward(
                  input,
                  t,
                  captions,
                  mask,
                  resolution,
                  aspect,
                  controlLatents,
                  head.control().scale()); // (R, 2C, H, W)
      NDArray eps =
          out.split(new long[] {LATENT_CHANNELS}, 1).get(0).toType(DataType.FLOAT32, false);
      if (guided) {
        eps = Guidance.combineDoubled(eps, head.guidanceScale()); // (B, C, H, W)
      }
      SchedulerOutput step;
      if (lcm) {
        NDArray noise = null;
        if (k < timesteps.length - 1) {
          NDList draws = new NDList();
          for (TorchGenerator g : generators) {
            draws.add(batch.create(g.randn(one.getShape()), one)); // (1, C, H, W)
          }
          noise = NDArrays.concat(draws, 0); // (B, C, H, W)
        }
        step = lcmScheduler.step(eps, k, latents, noise);
      } else {
        step = dpm.step(eps, k, latents);
      }
      latents = step.prevSample();
    }
    return latents;
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
    a.reshape(-1).get(0).toFloatArray();
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
    root.close();
    if (controlAdapter != null) {
      controlAdapter.close();
    }
    if (hed != null) {
      hed.close();
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
