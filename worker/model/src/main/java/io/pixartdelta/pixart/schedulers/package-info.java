/**
 * Samplers as pure math over NDArrays, one file per algorithm, each with {@code setTimesteps} and
 * {@code step} as in diffusers. Nothing here knows about models: the pipeline passes in the model
 * output and the noise.
 */
package io.pixartdelta.pixart.schedulers;
