/**
 * Random numbers that reproduce PyTorch's CPU generator bit for bit, so a job's seed gives the same
 * initial latents and per-step noise as {@code torch.Generator("cpu").manual_seed(seed)} in the
 * reference pipeline.
 */
package io.pixartdelta.pixart.random;
