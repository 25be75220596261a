package io.pixartdelta.pixart.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * Result of one sampler step; both arrays belong to the manager of the step's {@code sample}.
 *
 * @param prevSample the latents for the next step, (B, C, H, W); on the last step of an LCM run the
 *     same array as {@code denoised}
 * @param denoised the consistency model's estimate of the clean latents, (B, C, H, W)
 */
public record SchedulerOutput(NDArray prevSample, NDArray denoised) {
  public SchedulerOutput {
    if (prevSample == null || denoised == null) {
      throw new IllegalArgumentException("prevSample and denoised are required");
    }
  }
}
