package io.pixartdelta.worker.tracing;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.render.StatusSink;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the status sink: once a job's terminal event is acknowledged, records the job's spans
 * ({@link StageSpans}); after its terminal event is sent, forgets the job's trace context. The
 * wrapped sink adds the trace headers itself (it builds the records).
 */
public final class TracingStatusSink implements StatusSink {
  private static final Logger LOG = LoggerFactory.getLogger(TracingStatusSink.class);

  /** Instrumentation scope name of the worker's spans. */
  public static final String SCOPE = "io.pixartdelta.worker";

  private final StatusSink delegate;
  private final JobTraces traces;
  private final StageSpans spans;

  public TracingStatusSink(StatusSink delegate, JobTraces traces, Tracer tracer) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.traces = Objects.requireNonNull(traces, "traces");
    this.spans = new StageSpans(tracer);
  }

  /**
   * With the process's global tracer: the OpenTelemetry Java agent's or an SDK registered as
   * global, else a no-op.
   */
  public static TracingStatusSink global(StatusSink delegate, JobTraces traces) {
    return new TracingStatusSink(delegate, traces, GlobalOpenTelemetry.getTracer(SCOPE));
  }

  @Override
  public CompletableFuture<Void> publish(StatusEvent event) {
    CompletableFuture<Void> sent = delegate.publish(event);
    if (event.state().isTerminal()) {
      Optional<TraceHeaders> headers = traces.of(event.jobId());
      traces.forget(event.jobId());
      sent.whenComplete(
          (ignored, error) -> {
            if (error == null) {
              recordSpans(event, headers);
            }
          });
    }
    return sent;
  }

  private void recordSpans(StatusEvent event, Optional<TraceHeaders> headers) {
    try {
      spans.record(event, headers);
    } catch (RuntimeException e) { // tracing must never fail a job
      LOG.warn("recording the spans of job {} failed", event.jobId(), e);
    }
  }
}
