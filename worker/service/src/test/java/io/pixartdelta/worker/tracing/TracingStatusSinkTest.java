package io.pixartdelta.worker.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TracingStatusSinkTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

  private final List<SpanData> exported = new CopyOnWriteArrayList<>();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder()
          .addSpanProcessor(SimpleSpanProcessor.create(new Collecting()))
          .build();

  @Test
  void aSucceededJobBecomesAChildOfItsTraceparentWithOneSpanPerStage() {
    JobTraces traces = new JobTraces();
    traces.remember("job-1", Optional.of(new TraceHeaders(PARENT, "vendor=1")));
    TracingStatusSink sink =
        new TracingStatusSink(acknowledging(), traces, provider.get(TracingStatusSink.SCOPE));
    Instant started = Instant.parse("2026-01-01T00:00:10Z");

    sink.publish(succeeded(started)).join();

    Map<String, SpanData> byName =
        exported.stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
    assertThat(byName)
        .containsOnlyKeys(
            "pixart.job",
            "pixart.queue_wait",
            "pixart.text_encode",
            "pixart.denoise",
            "pixart.decode",
            "pixart.encode",
            "pixart.upload");
    SpanData job = byName.get("pixart.job");
    assertThat(job.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(job.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(job.getSpanContext().getTraceState().get("vendor")).isEqualTo("1");
    for (SpanData span : exported) {
      if (span != job) {
        assertThat(span.getParentSpanId()).isEqualTo(job.getSpanId());
      }
    }
    assertThat(millis(byName.get("pixart.queue_wait"))).isEqualTo(1_500);
    assertThat(millis(byName.get("pixart.denoise"))).isEqualTo(300);
    assertThat(millis(byName.get("pixart.upload"))).isEqualTo(11);
    assertThat(byName.get("pixart.denoise").getStartEpochNanos())
        .isEqualTo(byName.get("pixart.text_encode").getEndEpochNanos());
    assertThat(traces.size()).isZero();
  }

  @Test
  void progressEventsRecordNothingAndKeepTheContext() {
    JobTraces traces = new JobTraces();
    traces.remember("job-1", Optional.of(new TraceHeaders(PARENT, null)));
    TracingStatusSink sink =
        new TracingStatusSink(acknowledging(), traces, provider.get(TracingStatusSink.SCOPE));

    sink.publish(StatusEvent.accepted(job(), 1, "w-1", Instant.EPOCH)).join();

    assertThat(exported).isEmpty();
    assertThat(traces.of("job-1")).isPresent();
  }

  @Test
  void headersAreReadFromARecordAndWrittenBack() {
    RecordHeaders in = new RecordHeaders();
    in.add("traceparent", PARENT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    TraceHeaders headers = TraceHeaders.from(in).orElseThrow();
    RecordHeaders out = new RecordHeaders();
    headers.addTo(out);

    assertThat(
            new String(
                out.lastHeader("traceparent").value(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(PARENT);
    assertThat(out.lastHeader("tracestate")).isNull();
    assertThat(TraceHeaders.from(new RecordHeaders())).isEmpty();
  }

  @Test
  void theRegistryIsBounded() {
    JobTraces traces = new JobTraces(2);
    for (String id : List.of("a", "b", "c")) {
      traces.remember(id, Optional.of(new TraceHeaders(PARENT, null)));
    }
    assertThat(traces.size()).isEqualTo(2);
    assertThat(traces.of("a")).isEmpty();
  }

  private static long millis(SpanData span) {
    return (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1_000_000;
  }

  private static RenderJob job() {
    return RenderJob.builder("job-1", "a red fox").size(256, 256).seed(5L).steps(1).build();
  }

  private static StatusEvent succeeded(Instant started) {
    RenderJob job = job();
    ImageResult image =
        new ImageResult(
            0, "s3://renders/t/job-1/0.png", 256, 256, 5L, "0".repeat(64), "image/png", 10);
    return StatusEvent.succeeded(
        job,
        1,
        "w-1",
        started,
        started.plusSeconds(1),
        "w-1-b1",
        1,
        new StageTimings(1_500L, 20L, 300L, 40L, 7L, 11L),
        List.of(image));
  }

  private static io.pixartdelta.worker.render.StatusSink acknowledging() {
    return event -> CompletableFuture.completedFuture(null);
  }

  private final class Collecting implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      exported.addAll(spans);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
