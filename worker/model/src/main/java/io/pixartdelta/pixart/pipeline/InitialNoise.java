package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.random.TorchGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Stage 3's host side: every random number a batch needs. Image i has its own {@link
 * TorchGenerator} seeded {@code seed + i} (diffusers' list of CPU generators): its first draw is
 * the initial latents (or the request's preset latents), then one draw per re-noising step, in step
 * order.
 *
 * <p>The initial latents are drawn at once (the host does it while T5 runs on the device); the
 * steps' noise is drawn on {@code executor} while the device runs the first forward pass, and
 * crosses to the device in one copy before the first step that needs it. The host never waits for
 * the device inside the loop, and at most once per batch.
 */
final class InitialNoise {
  private final float[] initial;
  private final Shape perStep;
  private final int noiseSteps;
  private final CompletableFuture<float[]> steps;

  private InitialNoise(
      float[] initial, Shape perStep, int noiseSteps, CompletableFuture<float[]> steps) {
    this.initial = initial;
    this.perStep = perStep;
    this.noiseSteps = noiseSteps;
    this.steps = steps;
  }

  /**
   * Draws the initial latents of every image of {@code requests} now and starts drawing {@code
   * noiseSteps} noise tensors after them on {@code executor}; {@code one} is (1, C, H, W).
   */
  static InitialNoise draw(
      List<GenerationRequest> requests, Shape one, int noiseSteps, Executor executor) {
    int per = Math.toIntExact(one.size());
    int images = requests.stream().mapToInt(GenerationRequest::numImages).sum();
    float[] initial = new float[images * per];
    List<TorchGenerator> generators = new ArrayList<>(images);
    for (GenerationRequest r : requests) {
      for (int i = 0; i < r.numImages(); i++) {
        TorchGenerator g = new TorchGenerator(r.seed() + i);
        int offset = generators.size() * per;
        generators.add(g);
        if (r.initialLatents() != null) {
          System.arraycopy(r.initialLatents(), i * per, initial, offset, per);
        } else {
          System.arraycopy(g.randn(one.getShape()), 0, initial, offset, per);
        }
      }
    }
    // The generators move to the executor's thread here and are never touched again by this one.
    CompletableFuture<float[]> steps =
        noiseSteps == 0
            ? CompletableFuture.completedFuture(new float[0])
            : CompletableFuture.supplyAsync(
                () -> {
                  float[] all = new float[noiseSteps * images * per];
                  for (int i = 0; i < images; i++) {
                    for (int k = 0; k < noiseSteps; k++) {
                      float[] z = generators.get(i).randn(one.getShape());
                      System.arraycopy(z, 0, all, (k * images + i) * per, per);
                    }
                  }
                  return all;
                },
                executor);
    return new InitialNoise(
        initial, new Shape(images, one.get(1), one.get(2), one.get(3)), noiseSteps, steps);
  }

  /** The initial latents (B, C, H, W) float32 on {@code manager}'s device. */
  NDArray initialLatents(NDManager manager) {
    return manager.create(initial, perStep);
  }

  /**
   * Waits for the host draws and uploads them in one copy.
   *
   * @return one (B, C, H, W) per noise step, step order
   */
  List<NDArray> stepNoise(NDManager manager) {
    List<NDArray> out = new ArrayList<>(noiseSteps);
    if (noiseSteps == 0) {
      return out;
    }
    NDArray all = manager.create(steps.join(), new Shape(noiseSteps).addAll(perStep));
    NDList parts = noiseSteps == 1 ? new NDList(all) : all.split(noiseSteps, 0);
    for (NDArray part : parts) {
      out.add(part.reshape(perStep)); // (B, C, H, W)
    }
    return out;
  }
}
