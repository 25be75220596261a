/**
 * Layers every model uses identically (attention core, norms, activations) and the kernel backends
 * behind {@link io.pixartdelta.pixart.nn.Kernels}.
 */
package io.pixartdelta.pixart.nn;
