package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.random.TorchGenerator;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 3's host side: every random number a batch needs, drawn before the denoising loop. Image i
 * has its own {@link TorchGenerator} seeded {@code seed + i} (diffusers' list of CPU generators):
 * its first draw is the initial latents (or the request's preset latents), then one draw per
 * re-noising step, in step order. Drawn on the host while T5 runs on the device, and uploaded in
 * one copy, so the loop itself never waits for the host.
 *
 * @param values (S + 1, B, C, H, W) row-major: the initial latents, then each re-noising step's
 *     noise
 * @param perStep (B, C, H, W)
 * @param noiseSteps S, the scheduler steps that take noise
 */
record InitialNoise(float[] values, Shape perStep, int noiseSteps) {

  /**
   * Draws the initial latents of every image of {@code requests} and {@code noiseSteps} noise
   * tensors after them; {@code one} is (1, C, H, W).
   */
  static InitialNoise draw(List<GenerationRequest> requests, Shape one, int noiseSteps) {
    int per = Math.toIntExact(one.size());
    int images = requests.stream().mapToInt(GenerationRequest::numImages).sum();
    float[] values = new float[(noiseSteps + 1) * images * per];
    int image = 0;
    for (GenerationRequest r : requests) {
      for (int i = 0; i < r.numImages(); i++, image++) {
        TorchGenerator g = new TorchGenerator(r.seed() + i);
        float[] first = r.initialLatents() != null ? null : g.randn(one.getShape());
        if (first == null) {
          System.arraycopy(r.initialLatents(), i * per, values, image * per, per);
        } else {
          System.arraycopy(first, 0, values, image * per, per);
        }
        for (int k = 1; k <= noiseSteps; k++) {
          System.arraycopy(g.randn(one.getShape()), 0, values, (k * images + image) * per, per);
        }
      }
    }
    return new InitialNoise(
        values, new Shape(images, one.get(1), one.get(2), one.get(3)), noiseSteps);
  }

  /**
   * Uploads everything in one copy.
   *
   * @return the initial latents (B, C, H, W) first, then one (B, C, H, W) per noise step
   */
  List<NDArray> upload(NDManager manager) {
    NDArray all = manager.create(values, new Shape(noiseSteps + 1).addAll(perStep));
    List<NDArray> out = new ArrayList<>(noiseSteps + 1);
    NDList parts = noiseSteps == 0 ? new NDList(all) : all.split(noiseSteps + 1, 0);
    for (NDArray part : parts) {
      out.add(part.reshape(perStep)); // (B, C, H, W)
    }
    return out;
  }
}
