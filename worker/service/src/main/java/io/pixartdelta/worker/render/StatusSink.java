package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.StatusEvent;
import java.util.concurrent.CompletableFuture;

/** Where status events go (the status topic); the future completes when the event is durable. */
public interface StatusSink {
  /** Sends {@code event}; the future fails if it cannot be stored. */
  CompletableFuture<Void> publish(StatusEvent event);
}
