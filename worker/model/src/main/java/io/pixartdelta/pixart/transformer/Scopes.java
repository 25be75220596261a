package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** Helpers for the per-call NDManager scopes. */
final class Scopes {
  private Scopes() {}

  /**
   * Temporarily attaches the non-null {@code inputs} to {@code scope} (each once, even if passed
   * twice), so intermediates derived from them land in the scope and the inputs return to their own
   * managers when it closes.
   */
  static void attachInputs(NDManager scope, NDArray... inputs) {
    Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (NDArray a : inputs) {
      if (a != null && seen.add(a)) {
        scope.tempAttachAll(a);
      }
    }
  }
}
