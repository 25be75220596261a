package io.pixartdelta.pixart.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/**
 * Runs a sequence of layers on one activation and frees each intermediate as soon as the next one
 * exists. A single scope around a whole decoder would keep every block's output alive until the end
 * (gigabytes at 1024 px); here only the current activation is held, in a manager of its own. The
 * input itself is never freed: it belongs to the caller.
 */
final class Chain implements AutoCloseable {
  private final NDManager parent;
  private NDManager held;
  private NDArray current;

  private Chain(NDArray input) {
    this.parent = input.getManager();
    this.current = input;
  }

  /** Starts a chain on {@code input}; results are handed back to the input's manager. */
  static Chain on(NDArray input) {
    return new Chain(input);
  }

  /** Applies {@code layer} to the current activation and releases the previous one. */
  Chain then(UnaryOperator<NDArray> layer) {
    NDArray next = layer.apply(current);
    if (next == current) {
      return this;
    }
    NDManager nextHolder = parent.newSubManager();
    nextHolder.attachAll(next);
    if (held != null) {
      held.close();
    }
    held = nextHolder;
    current = next;
    return this;
  }

  /** The current activation (valid until the next {@link #then}). */
  NDArray current() {
    return current;
  }

  /** Hands the current activation to the input's manager and ends the chain. */
  NDArray finish() {
    if (held != null) {
      parent.attachAll(current);
    }
    return current;
  }

  /** Frees whatever the chain still holds (everything but a finished result). */
  @Override
  public void close() {
    if (held != null) {
      held.close();
      held = null;
    }
  }
}
