package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Keeps every published event; acknowledges at once unless told to hold or fail. */
final class RecordingStatusSink implements StatusSink {
  private final List<StatusEvent> events = new ArrayList<>();
  private final List<CompletableFuture<Void>> held = new ArrayList<>();
  volatile boolean hold;
  volatile RuntimeException failWith;

  @Override
  public synchronized CompletableFuture<Void> publish(StatusEvent event) {
    events.add(event);
    if (failWith != null) {
      return CompletableFuture.failedFuture(failWith);
    }
    if (hold) {
      CompletableFuture<Void> future = new CompletableFuture<>();
      held.add(future);
      return future;
    }
    return CompletableFuture.completedFuture(null);
  }

  synchronized List<StatusEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<StatusEvent> eventsOf(String jobId) {
    return events.stream().filter(e -> e.jobId().equals(jobId)).toList();
  }

  synchronized StatusEvent terminal(String jobId) {
    return events.stream()
        .filter(e -> e.jobId().equals(jobId) && e.state().isTerminal())
        .findFirst()
        .orElse(null);
  }

  synchronized List<JobState> statesOf(String jobId) {
    return eventsOf(jobId).stream().map(StatusEvent::state).toList();
  }

  /** Acknowledges every held event. */
  void releaseHeld() {
    List<CompletableFuture<Void>> toRelease;
    synchronized (this) {
      hold = false;
      toRelease = new ArrayList<>(held);
      held.clear();
    }
    toRelease.forEach(f -> f.complete(null));
  }
}
