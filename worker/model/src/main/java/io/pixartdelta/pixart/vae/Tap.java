package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;

/**
 * Observes named intermediate activations during a forward pass (the fixture names, e.g. {@code
 * decoder.mid_block}). The array is only valid during the call: copy what you need.
 */
@FunctionalInterface
interface Tap {
  Tap NONE = (name, value) -> {};

  void record(String name, NDArray value);
}
