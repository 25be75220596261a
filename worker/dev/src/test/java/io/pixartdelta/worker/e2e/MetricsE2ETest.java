package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.app.HealthServer;
import io.pixartdelta.worker.app.Worker;
import io.pixartdelta.worker.app.WorkerOptions;
import io.pixartdelta.worker.metrics.PrometheusMetrics;
import io.pixartdelta.worker.render.FakeRenderer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker on the embedded Kafka and S3 with the {@link FakeRenderer}: after a few good jobs, one
 * that fails in the renderer and one unreadable message, {@code GET /metrics} on the health port
 * reports exactly those counts, the failures under their error codes.
 */
class MetricsE2ETest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int GOOD = 4;
  private static E2EStack stack;

  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startServers() {
    stack = new E2EStack();
  }

  @AfterAll
  static void stopServers() {
    stack.close();
  }

  @Test
  void scrapedCountersEqualTheJobsProcessed() throws Exception {
    String name = "metrics";
    WorkerOptions options = stack.options(name, "e2e-metrics");
    List<String> good = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      good.add("good-" + i);
      stack.send(name, job("good-" + i, "a lighthouse " + i));
    }
    stack.send(name, job("bad-render", "a lighthouse #fail"));
    stack.sendRaw(name, "not-json", "this is { not json".getBytes(StandardCharsets.UTF_8));
    List<String> all = new ArrayList<>(good);
    all.addAll(List.of("bad-render", "not-json"));

    Map<String, StatusEvent> terminal;
    Scrape scrape;
    HttpResponse<String> response;
    try (FakeRenderer renderer = new FakeRenderer();
        PrometheusMetrics metrics = PrometheusMetrics.create();
        StatusCollector statuses =
            StatusCollector.statuses(stack.kafka.bootstrapServers(), E2EStack.statusTopic(name));
        Worker worker = Worker.start(options, renderer, Clock.systemUTC(), metrics.registry());
        HealthServer health = HealthServer.start(0, worker::state, worker::failure, metrics)) {
      terminal = statuses.awaitTerminal(all, TIMEOUT);
      response = awaitSettled(health.port());
      scrape = new Scrape(response.body());
      assertThat(worker.failure()).isNull();
    }

    for (String id : good) {
      assertThat(terminal.get(id).state()).as(id).isEqualTo(JobState.SUCCEEDED);
    }
    assertThat(terminal.get("bad-render").error().code()).isEqualTo(ErrorCodes.RENDER_FAILED);
    assertThat(terminal.get("not-json").error().code()).isEqualTo(ErrorCodes.INVALID_JSON);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue(PrometheusMetrics.CONTENT_TYPE);
    assertThat(scrape.value("pixart_jobs_received_total")).isEqualTo(GOOD + 2);
    assertThat(scrape.value("pixart_jobs_completed_total", "outcome", "succeeded", "code", "none"))
        .isEqualTo(GOOD);
    assertThat(
            scrape.value(
                "pixart_jobs_completed_total",
                "outcome",
                "failed",
                "code",
                ErrorCodes.RENDER_FAILED))
        .isEqualTo(1);
    assertThat(
            scrape.value(
                "pixart_jobs_completed_total",
                "outcome",
                "failed",
                "code",
                ErrorCodes.INVALID_JSON))
        .isEqualTo(1);
    assertThat(scrape.value("pixart_jobs_completed_total")).isEqualTo(GOOD + 2);
    assertThat(scrape.value("pixart_jobs_dead_lettered_total", "code", ErrorCodes.INVALID_JSON))
        .isEqualTo(1);
    assertThat(scrape.value("pixart_images_stored_total")).isEqualTo(GOOD);
    assertThat(scrape.value("pixart_jobs_in_flight")).isZero();
    // Every renderable job was in exactly one renderer call, all of one shape class.
    assertThat(
            scrape.value(
                "pixart_batch_size_sum", "resolution", "256", "steps", "1", "control", "false"))
        .isEqualTo(GOOD + 1);
    assertThat(scrape.value("pixart_job_latency_seconds_count", "outcome", "succeeded"))
        .isEqualTo(GOOD);
    assertThat(scrape.value("pixart_job_stage_seconds_count", "stage", "upload")).isEqualTo(GOOD);
    assertThat(scrape.value("pixart_batch_stage_seconds_count", "stage", "denoise")).isPositive();
    assertThat(scrape.value("pixart_kafka_commits_total")).isPositive();
    assertThat(scrape.value("pixart_kafka_partitions_assigned")).isEqualTo(E2EStack.PARTITIONS);
    assertThat(scrape.value("pixart_kafka_partitions_paused")).isZero();
    assertThat(scrape.value("resilience4j_circuitbreaker_state", "name", "s3", "state", "closed"))
        .isEqualTo(1);
    assertThat(scrape.value("resilience4j_retry_calls_total", "name", "s3")).isPositive();
    assertThat(scrape.names()).anyMatch(n -> n.startsWith("kafka_consumer_"));
    assertThat(scrape.names()).anyMatch(n -> n.startsWith("kafka_producer_"));
    assertThat(scrape.names()).contains("jvm_memory_used_bytes", "process_uptime_seconds");
  }

  /**
   * Scrapes until every job is counted and committed: a terminal event is counted when the broker
   * acknowledges it, which can be a moment after a consumer sees it.
   */
  private HttpResponse<String> awaitSettled(int port) throws Exception {
    long end = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      Scrape scrape = new Scrape(response.body());
      boolean settled =
          scrape.value("pixart_jobs_completed_total") == GOOD + 2
              && scrape.value("pixart_jobs_dead_lettered_total") == 1
              && scrape.value("pixart_jobs_in_flight") == 0
              && scrape.value("pixart_kafka_commits_total") > 0;
      if (settled || System.nanoTime() > end) {
        return response;
      }
      Thread.sleep(100);
    }
  }

  private static RenderJob job(String id, String prompt) {
    return RenderJob.builder(id, prompt).size(256, 256).steps(1).seed(3L).build();
  }

  /** The samples of a Prometheus text-format page. */
  private static final class Scrape {
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples = new ArrayList<>();

    Scrape(String text) {
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        String name =
            brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
        Map<String, String> labels = new HashMap<>();
        if (brace >= 0 && brace < space) {
          Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
          while (m.find()) {
            labels.put(m.group(1), m.group(2));
          }
        }
        samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
      }
    }

    /** The sum over samples named {@code name} that carry the given label pairs (0 if none). */
    double value(String name, String... labelPairs) {
      double sum = 0;
      for (Sample sample : samples) {
        if (!sample.name().equals(name)) {
          continue;
        }
        boolean matches = true;
        for (int i = 0; i < labelPairs.length; i += 2) {
          matches &= labelPairs[i + 1].equals(sample.labels().get(labelPairs[i]));
        }
        if (matches) {
          sum += sample.value();
        }
      }
      return sum;
    }

    List<String> names() {
      return samples.stream().map(Sample::name).distinct().toList();
    }
  }
}
