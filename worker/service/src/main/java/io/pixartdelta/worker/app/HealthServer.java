package io.pixartdelta.worker.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pixartdelta.worker.kafka.WorkerState;
import io.pixartdelta.worker.metrics.PrometheusMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Liveness and readiness for Kubernetes probes, and metrics for Prometheus: {@code GET /live} is
 * 200 while the worker has not failed or closed, {@code GET /ready} is 200 only while it is RUNNING
 * (consuming); both answer a one-line JSON body with the state. {@code GET /metrics} answers the
 * Prometheus text format when a metrics source is given. A tiny JDK server: no framework for three
 * endpoints.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /** Serves /live and /ready on {@code port} (0 picks a free one) until closed. */
  public static HealthServer start(
      int port, Supplier<WorkerState> state, Supplier<Throwable> failure) {
    return start(port, state, failure, null);
  }

  /**
   * Serves /live, /ready and, if {@code metrics} is not null, /metrics on {@code port} (0 picks a
   * free one) until closed.
   */
  public static HealthServer start(
      int port,
      Supplier<WorkerState> state,
      Supplier<Throwable> failure,
      PrometheusMetrics metrics) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve health checks on port " + port, e);
    }
    server.createContext(
        "/live",
        ex -> {
          WorkerState s = state.get();
          boolean live = failure.get() == null && s != WorkerState.CLOSED;
          respond(ex, live, s);
        });
    server.createContext(
        "/ready", ex -> respond(ex, state.get() == WorkerState.RUNNING, state.get()));
    if (metrics != null) {
      server.createContext("/metrics", ex -> scrape(ex, metrics));
    }
    server.start();
    return new HealthServer(server);
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, boolean ok, WorkerState state) throws IOException {
    byte[] body =
        ("{\"ok\":" + ok + ",\"state\":\"" + state + "\"}\n").getBytes(StandardCharsets.UTF_8);
    send(ex, ok ? 200 : 503, "application/json", body);
  }

  private static void scrape(HttpExchange ex, PrometheusMetrics metrics) throws IOException {
    byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
    send(ex, 200, PrometheusMetrics.CONTENT_TYPE, body);
  }

  /**
   * Answers with {@code body}, or for HEAD with its headers alone: the JDK server wants HEAD
   * answered with length -1 and the Content-Length set by hand (it logs a warning otherwise).
   */
  private static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      ex.sendResponseHeaders(status, -1);
      ex.close();
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
