package io.pixartdelta.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.metrics.PrometheusMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private int get(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }

  @Test
  void readyOnlyWhileRunningAndLiveUntilFailedOrClosed() throws Exception {
    AtomicReference<WorkerState> state = new AtomicReference<>(WorkerState.STARTING);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (HealthServer server = HealthServer.start(0, state::get, failure::get)) {
      int port = server.port();
      assertThat(get(port, "/live")).isEqualTo(200);
      assertThat(get(port, "/ready")).isEqualTo(503);
      state.set(WorkerState.RUNNING);
      assertThat(get(port, "/ready")).isEqualTo(200);
      state.set(WorkerState.DRAINING);
      assertThat(get(port, "/ready")).isEqualTo(503);
      assertThat(get(port, "/live")).isEqualTo(200);
      failure.set(new IllegalStateException("status topic unreachable"));
      assertThat(get(port, "/live")).isEqualTo(503);
    }
  }

  @Test
  void headAnswersTheHeadersOfGetWithoutABodyOrAJdkWarning() throws Exception {
    // The JDK server logs through System.Logger "com.sun.net.httpserver" (java.util.logging here).
    Logger jdkLog = Logger.getLogger("com.sun.net.httpserver");
    List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jdkLog.addHandler(handler);
    try (PrometheusMetrics metrics = PrometheusMetrics.create();
        HealthServer server =
            HealthServer.start(0, () -> WorkerState.RUNNING, () -> null, metrics)) {
      metrics.registry().counter("pixart_test_total").increment();
      for (String path : List.of("/metrics", "/live", "/ready")) {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
        HttpResponse<String> get =
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> head =
            http.send(
                HttpRequest.newBuilder(uri)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).as(path).isEqualTo(200);
        assertThat(head.body()).as(path).isEmpty();
        assertThat(head.headers().firstValue("Content-Type"))
            .isEqualTo(get.headers().firstValue("Content-Type"));
        long length = head.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (path.equals("/metrics")) {
          assertThat(length).isPositive(); // gauges move between two scrapes
        } else {
          assertThat(length).as(path).isEqualTo(get.body().getBytes(StandardCharsets.UTF_8).length);
        }
      }
    } finally {
      jdkLog.removeHandler(handler);
    }
    assertThat(warnings).extracting(LogRecord::getMessage).isEmpty();
  }
}
