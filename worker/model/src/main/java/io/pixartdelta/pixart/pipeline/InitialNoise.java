package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.random.TorchGenerator;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 3's host side: one {@link TorchGenerator} per image, seeded {@code seed + i} like
 * diffusers' list of CPU generators, and each image's initial latents (its generator's first draw,
 * or the request's preset latents). Drawn on the host while T5 runs on the device; the generators
 * go on to draw the per-step noise.
 *
 * @param generators one per image, in batch order
 * @param values the initial latents (B, C, H, W), row-major
 * @param shape (B, C, H, W)
 */
record InitialNoise(List<TorchGenerator> generators, float[] values, Shape shape) {

  /** Draws the initial latents of every image of {@code requests}; {@code one} is (1, C, H, W). */
  static InitialNoise draw(List<GenerationRequest> requests, Shape one) {
    int per = Math.toIntExact(one.size());
    int images = requests.stream().mapToInt(GenerationRequest::numImages).sum();
    List<TorchGenerator> generators = new ArrayList<>(images);
    float[] values = new float[images * per];
    for (GenerationRequest r : requests) {
      for (int i = 0; i < r.numImages(); i++) {
        TorchGenerator g = new TorchGenerator(r.seed() + i);
        int offset = generators.size() * per;
        generators.add(g);
        float[] first =
            r.initialLatents() != null
                ? r.initialLatents()
                : g.randn(one.getShape()); // (1, C, H, W)
        System.arraycopy(first, r.initialLatents() != null ? i * per : 0, values, offset, per);
      }
    }
    return new InitialNoise(
        List.copyOf(generators), values, new Shape(images, one.get(1), one.get(2), one.get(3)));
  }
}
