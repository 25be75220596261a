/**
 * Reading checkpoints: safetensors (single and sharded), NumPy .npy, strict key/shape checks
 * against each component's {@link io.pixartdelta.pixart.weights.WeightSpec}.
 */
package io.pixartdelta.pixart.weights;
