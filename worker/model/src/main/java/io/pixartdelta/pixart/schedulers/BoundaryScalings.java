package io.pixartdelta.pixart.schedulers;

/**
 * The consistency-model boundary condition at one timestep: denoised = cOut·x̂₀ + cSkip·x_t, with
 * cSkip → 1 and cOut → 0 as t → 0.
 *
 * @param cSkip weight of the current sample
 * @param cOut weight of the clean-sample estimate
 */
public record BoundaryScalings(float cSkip, float cOut) {}
