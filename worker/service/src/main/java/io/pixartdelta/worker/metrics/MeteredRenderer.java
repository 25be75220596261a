package io.pixartdelta.worker.metrics;

import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.worker.batch.BatchKey;
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
    BatchKey key = items.isEmpty() ? null : items.get(0).batchKey();
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
  public AspectRatioBins.Bin renderSize(int width, int height, boolean binning) {
    return delegate.renderSize(width, height, binning);
  }

  /** The renderer belongs to the caller of the worker: closing this wrapper leaves it open. */
  @Override
  public void close() {}
}
