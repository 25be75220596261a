package io.pixartdelta.pixart.pipeline;

import io.pixartdelta.pixart.schedulers.SchedulerKind;

/**
 * One prompt to render, possibly several images of it.
 *
 * @param prompt the caption (preprocessed and tokenized by the pipeline; truncated to 119 tokens)
 * @param seed seed of image 0; image {@code i} uses {@code seed + i}, each with its own generator,
 *     so an image depends only on its own request, never on its batch mates
 * @param width requested output width in pixels
 * @param height requested output height in pixels
 * @param binning snap to the closest aspect-ratio bin and resize the output back (diffusers' {@code
 *     use_resolution_binning}); false renders exactly width×height (multiples of 16)
 * @param steps denoising steps (1–8 for LCM)
 * @param numImages images of this prompt (1–4)
 * @param initialLatents optional initial latents, row-major (numImages, 4, H/8, W/8) at the render
 *     size, to reproduce an image made elsewhere; {@code null} draws them from the seed
 * @param sampler LCM (default) or DPM-Solver++
 * @param guidanceScale classifier-free guidance with an empty-prompt unconditional branch when > 1;
 *     ≤ 1 runs one conditional forward per step
 */
public record GenerationRequest(
    String prompt,
    long seed,
    int width,
    int height,
    boolean binning,
    int steps,
    int numImages,
    float[] initialLatents,
    SchedulerKind sampler,
    float guidanceScale,
    ControlCondition control) {
  public static final int MAX_STEPS = 8;
  public static final int MAX_DPM_STEPS = 50;
  public static final int MAX_IMAGES = 4;

  public GenerationRequest {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    if (width < 16 || height < 16 || width > 4096 || height > 4096) {
      throw new IllegalArgumentException(
          "width and height must be in 16..4096, got " + width + "x" + height);
    }
    if (sampler == null) {
      throw new IllegalArgumentException("sampler must not be null");
    }
    int maxSteps = sampler == SchedulerKind.LCM ? MAX_STEPS : MAX_DPM_STEPS;
    if (steps < 1 || steps > maxSteps) {
      throw new IllegalArgumentException(
          "steps must be in 1.." + maxSteps + " for " + sampler.wire() + ", got " + steps);
    }
    if (!(guidanceScale >= 0 && guidanceScale <= 20)) {
      throw new IllegalArgumentException("guidanceScale must be in 0..20, got " + guidanceScale);
    }
    if (numImages < 1 || numImages > MAX_IMAGES) {
      throw new IllegalArgumentException(
          "numImages must be in 1.." + MAX_IMAGES + ", got " + numImages);
    }
    if (seed < 0) {
      throw new IllegalArgumentException("seed must be ≥ 0, got " + seed);
    }
  }

  /** An LCM request without guidance. */
  public GenerationRequest(
      String prompt,
      long seed,
      int width,
      int height,
      boolean binning,
      int steps,
      int numImages,
      float[] initialLatents) {
    this(
        prompt,
        seed,
        width,
        height,
        binning,
        steps,
        numImages,
        initialLatents,
        SchedulerKind.LCM,
        SchedulerKind.LCM.defaultGuidance(),
        null);
  }

  /** A copy guided by a control map. */
  public GenerationRequest withControl(ControlCondition c) {
    return new GenerationRequest(
        prompt,
        seed,
        width,
        height,
        binning,
        steps,
        numImages,
        initialLatents,
        sampler,
        guidanceScale,
        c);
  }

  /** True if this request runs classifier-free guidance. */
  public boolean guided() {
    return guidanceScale > 1f;
  }

  /** A copy with another sampler and guidance scale. */
  public GenerationRequest withSampler(SchedulerKind s, float guidance) {
    return new GenerationRequest(
        prompt,
        seed,
        width,
        height,
        binning,
        steps,
        numImages,
        initialLatents,
        s,
        guidance,
        control);
  }

  /** One image of {@code prompt} at width×height with binning on and no preset latents. */
  public static GenerationRequest of(String prompt, long seed, int width, int height, int steps) {
    return new GenerationRequest(prompt, seed, width, height, true, steps, 1, null);
  }

  /** A copy with binning on or off. */
  public GenerationRequest withBinning(boolean on) {
    return new GenerationRequest(
        prompt,
        seed,
        width,
        height,
        on,
        steps,
        numImages,
        initialLatents,
        sampler,
        guidanceScale,
        control);
  }

  /** A copy with preset initial latents. */
  public GenerationRequest withInitialLatents(float[] latents) {
    return new GenerationRequest(
        prompt,
        seed,
        width,
        height,
        binning,
        steps,
        numImages,
        latents,
        sampler,
        guidanceScale,
        control);
  }

  /** A copy rendering {@code n} images. */
  public GenerationRequest withNumImages(int n) {
    return new GenerationRequest(
        prompt,
        seed,
        width,
        height,
        binning,
        steps,
        n,
        initialLatents,
        sampler,
        guidanceScale,
        control);
  }
}
