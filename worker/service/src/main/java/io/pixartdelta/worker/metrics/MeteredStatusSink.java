package io.pixartdelta.worker.metrics;

import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.render.StatusSink;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link StatusSink} that reports every event to {@link WorkerMetrics} once the wrapped sink
 * acknowledged or refused it: terminal events become job outcomes, counted only when durable.
 */
final class MeteredStatusSink implements StatusSink {
  private final StatusSink delegate;
  private final WorkerMetrics metrics;

  MeteredStatusSink(StatusSink delegate, WorkerMetrics metrics) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public CompletableFuture<Void> publish(StatusEvent event) {
    long start = System.nanoTime();
    CompletableFuture<Void> sent = delegate.publish(event);
    // Callers wait on the returned future, so the count is in place before they see completion.
    return sent.whenComplete(
        (ignored, error) ->
            metrics.statusPublished(event, System.nanoTime() - start, error == null));
  }
}
