package io.pixartdelta.pixart.pipeline;

import java.nio.file.Path;

/**
 * Where a PixArt-δ ControlNet-Transformer comes from.
 *
 * @param adapter a diffusers-style adapter folder or the official original-layout {@code .pth} (its
 *     adapter part; the base transformer stays the pipeline's)
 * @param hed HED detector weights ({@code ControlNetHED.pth} or safetensors), or {@code null}:
 *     {@code hed} control maps then fail with a clear error while {@code edges} and {@code canny}
 *     work
 */
public record ControlNetFiles(Path adapter, Path hed) {
  public ControlNetFiles {
    if (adapter == null) {
      throw new IllegalArgumentException("a ControlNet adapter path is required");
    }
  }
}
