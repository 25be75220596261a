package io.pixartdelta.worker.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Records a finished job as spans, after the fact, from its terminal status event: a job span
 * (child of the record's {@code traceparent} when it has one) and one child per stage: queue wait,
 * text encode, denoise, decode, encode, upload. The stages are laid end to end from their measured
 * durations (the model's three are those of the job's batch). With no OpenTelemetry SDK installed
 * the tracer is a no-op and this costs a few allocations per job.
 */
final class StageSpans {
  static final String JOB_SPAN = "pixart.job";

  private static final TextMapGetter<TraceHeaders> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceHeaders carrier) {
          return List.of(TraceHeaders.TRACEPARENT, TraceHeaders.TRACESTATE);
        }

        @Override
        public String get(TraceHeaders carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final Tracer tracer;

  StageSpans(Tracer tracer) {
    this.tracer = Objects.requireNonNull(tracer, "tracer");
  }

  /** Records the spans of a job whose terminal event is {@code event}. */
  void record(StatusEvent event, Optional<TraceHeaders> headers) {
    Context parent =
        headers
            .map(h -> W3CTraceContextPropagator.getInstance().extract(Context.root(), h, GETTER))
            .orElse(Context.root());
    Instant end = event.finishedAt() != null ? event.finishedAt() : event.eventTime();
    StageTimings t = event.timings();
    Instant started = event.startedAt();
    Instant queued =
        started != null && t != null && t.queueWaitMs() != null
            ? started.minusMillis(t.queueWaitMs())
            : (started != null ? started : end);
    Span job =
        tracer
            .spanBuilder(JOB_SPAN)
            .setParent(parent)
            .setSpanKind(SpanKind.CONSUMER)
            .setStartTimestamp(queued)
            .setAttribute("pixart.job.id", event.jobId())
            .setAttribute("pixart.job.state", event.state().name())
            .setAttribute("pixart.job.attempt", event.attempt())
            .startSpan();
    if (event.batchId() != null) {
      job.setAttribute("pixart.batch.id", event.batchId());
    }
    if (event.batchSize() != null) {
      job.setAttribute("pixart.batch.size", event.batchSize());
    }
    if (event.error() != null) {
      job.setAttribute("pixart.error.code", event.error().code());
      job.setStatus(StatusCode.ERROR, event.error().code());
    }
    if (t != null && started != null) {
      Context inJob = parent.with(job);
      stage(inJob, "queue_wait", queued, started);
      Instant at = started;
      at = stage(inJob, "text_encode", at, t.textEncodeMs());
      at = stage(inJob, "denoise", at, t.denoiseMs());
      at = stage(inJob, "decode", at, t.decodeMs());
      at = stage(inJob, "encode", at, t.encodeMs());
      stage(inJob, "upload", at, t.uploadMs());
    }
    job.end(end);
  }

  private Instant stage(Context parent, String name, Instant start, Long millis) {
    if (millis == null) {
      return start;
    }
    Instant end = start.plusMillis(millis);
    stage(parent, name, start, end);
    return end;
  }

  private void stage(Context parent, String name, Instant start, Instant end) {
    tracer
        .spanBuilder("pixart." + name)
        .setParent(parent)
        .setStartTimestamp(start)
        .startSpan()
        .end(end);
  }
}
