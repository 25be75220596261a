package io.pixartdelta.worker.render;

import java.nio.file.Path;

/**
 * Creates a {@link Renderer}; implementations are found with {@link java.util.ServiceLoader} and
 * chosen by {@link #name()} (the worker's {@code renderer} option).
 */
public interface RendererFactory {

  /** The name the {@code renderer} option selects, e.g. {@code pixart}. */
  String name();

  /**
   * Loads the renderer. Failures are fatal at start-up (the worker does not consume).
   *
   * @param settings model location and numeric settings
   */
  Renderer create(Settings settings);

  /**
   * What a renderer needs to start.
   *
   * @param modelDir model folder (diffusers layout), or null if the renderer needs none
   * @param device DJL device name, e.g. {@code cpu} or {@code gpu:0}
   * @param dtype compute precision, {@code fp32} or {@code fp16}
   * @param controlnet ControlNet adapter folder or official .pth, or null for no control jobs
   * @param hed HED detector weights, or null
   * @param t5Int8 the 8 GB mode: T5 weights stored as int8 with per-row scales
   * @param randomWeights {@code real} or {@code tiny}: random weights made on the device instead of
   *     loading {@code modelDir} (capacity tests), or null
   */
  record Settings(
      Path modelDir,
      String device,
      String dtype,
      Path controlnet,
      Path hed,
      boolean t5Int8,
      String randomWeights) {
    /** Settings without a ControlNet. */
    public Settings(Path modelDir, String device, String dtype) {
      this(modelDir, device, dtype, null, null, false, null);
    }

    /** Settings with full-precision T5 weights. */
    public Settings(Path modelDir, String device, String dtype, Path controlnet, Path hed) {
      this(modelDir, device, dtype, controlnet, hed, false, null);
    }

    public Settings {
      if (device == null || device.isBlank()) {
        throw new IllegalArgumentException("device must not be blank");
      }
      if (!"fp32".equals(dtype) && !"fp16".equals(dtype)) {
        throw new IllegalArgumentException("dtype must be fp32 or fp16, got " + dtype);
      }
    }
  }
}
