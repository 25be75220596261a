package io.pixartdelta.pixart.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * A sampler as diffusers' {@code SchedulerMixin} shapes it: choose the timesteps of an N-step run
 * with {@link #setTimesteps}, then call {@link #step} once per timestep with the model's
 * prediction. The pipeline owns randomness: a sampler that re-noises (LCM) asks for a noise tensor
 * through {@link #needsNoise}, drawn per image by the caller, so a batch never mixes randomness
 * across images. Pure math on NDArrays: no model code.
 */
public interface Scheduler {

  /** Chooses the timesteps of a {@code steps}-step run and starts a new run. */
  void setTimesteps(int steps);

  /** The timesteps of the current run, descending (a copy). */
  int[] timesteps();

  /** True if {@link #step} at {@code stepIndex} takes a noise tensor z ~ N(0, I). */
  boolean needsNoise(int stepIndex);

  /**
   * One denoising step.
   *
   * @param modelOutput ε̂, the model's noise prediction, shaped like {@code sample}
   * @param stepIndex position in {@link #timesteps()}, 0-based, in order
   * @param sample the current latents x_t, (B, C, H, W)
   * @param noise z of the same shape if {@link #needsNoise} says so, else {@code null}
   * @return the next latents and the clean-latent estimate, attached to {@code sample}'s manager
   * @throws IllegalArgumentException for a bad step index, mismatched shapes, or noise given or
   *     missing against {@link #needsNoise}
   */
  SchedulerOutput step(NDArray modelOutput, int stepIndex, NDArray sample, NDArray noise);
}
