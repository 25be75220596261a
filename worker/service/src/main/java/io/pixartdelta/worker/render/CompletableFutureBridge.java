package io.pixartdelta.worker.render;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/** Runs a callback with the unwrapped failure (or null) when a future completes. */
final class CompletableFutureBridge {
  private CompletableFutureBridge() {}

  static void whenDone(CompletableFuture<?> future, Consumer<Throwable> callback) {
    future.whenComplete(
        (ignored, error) ->
            callback.accept(
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error));
  }
}
