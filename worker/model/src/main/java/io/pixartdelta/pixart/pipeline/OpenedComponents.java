package io.pixartdelta.pixart.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The components of a pipeline being built, in the order they were opened: if building fails
 * midway, {@link #closeAfter} closes what is already open (native weights would leak otherwise).
 * Once the pipeline is built it owns the components and this list is dropped.
 */
public final class OpenedComponents {
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Records {@code component} as open and returns it. */
  public <T extends AutoCloseable> T add(T component) {
    opened.add(component);
    return component;
  }

  /**
   * Closes every recorded component, the latest first (a later one may use an earlier one), and
   * returns {@code failure} with any close failure added as suppressed, for the caller to rethrow.
   */
  public RuntimeException closeAfter(RuntimeException failure) {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception suppressed) {
        failure.addSuppressed(suppressed);
      }
    }
    opened.clear();
    return failure;
  }
}
