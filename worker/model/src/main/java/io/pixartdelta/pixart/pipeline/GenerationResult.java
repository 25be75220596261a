package io.pixartdelta.pixart.pipeline;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The images of one {@link GenerationRequest}.
 *
 * @param images 8-bit RGB images at the requested size, in order
 * @param seeds the seed of each image
 * @param renderHeight height the model rendered at (the bin, or the request without binning)
 * @param renderWidth width the model rendered at
 */
public record GenerationResult(
    List<BufferedImage> images, List<Long> seeds, int renderHeight, int renderWidth) {
  public GenerationResult {
    images = List.copyOf(images);
    seeds = List.copyOf(seeds);
  }
}
