package io.pixartdelta.worker.metrics;

import io.pixartdelta.worker.batch.ShapeKey;
import io.pixartdelta.worker.render.RenderItem;
import io.pixartdelta.worker.render.RenderOutcome;
import io.pixartdelta.worker.render.Renderer;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Renderer} that reports each call to {@link WorkerMetrics}: its wall time, batch size by
 * shape class and the model's own stage times. Everything else is passed through unchanged.
 */
final class MeteredRenderer implements Renderer {
  private final Renderer delegate;
  private final WorkerMetrics metrics;

  MeteredRenderer(Renderer delegate, WorkerMetrics metrics) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public List<RenderOutcome> render(List<RenderItem> items) {
    ShapeKey key = items.isEmpty() ? null : delegate.shapeKey(items.get(0));
    long start = System.nanoTime();
    List<RenderOutcome> outcomes = null;
    try {
      outcomes = delegate.render(items);
      return outcomes;
    } finally {
      if (key != null) {
        metrics.batchRendered(key, items.size(), outcomes, System.nanoTime() - start);
      }
    }
  }

  @Override
  public String modelId() {
    return delegate.modelId();
  }

  @Override
  public boolean supportsControl() {
    return delegate.supportsControl();
  }

  @Override
  public ShapeKey shapeKey(RenderItem item) {
    return delegate.shapeKey(item);
  }

  /** The renderer belongs to the caller of the worker: closing this wrapper leaves it open. */
  @Override
  public void close() {}
}
