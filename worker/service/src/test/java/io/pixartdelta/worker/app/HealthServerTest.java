package io.pixartdelta.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.worker.kafka.WorkerState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
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
}
