package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.Map;

/**
 * The loaded parameters of one model component, owned by one long-lived manager (capped after load
 * so that a forward pass that forgets its own scope fails loudly in tests).
 */
public final class Weights implements AutoCloseable {
  private final NDManager manager;
  private final Map<String, NDArray> params;

  public Weights(NDManager manager, Map<String, NDArray> params) {
    this.manager = manager;
    this.params = Collections.unmodifiableMap(params);
  }

  /** The parameter {@code name}; throws if the component asks for something it never declared. */
  public NDArray get(String name) {
    NDArray a = params.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    return a;
  }

  public boolean has(String name) {
    return params.containsKey(name);
  }

  public Map<String, NDArray> all() {
    return params;
  }

  /** The manager that owns the parameters. */
  public NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    manager.close();
  }
}
