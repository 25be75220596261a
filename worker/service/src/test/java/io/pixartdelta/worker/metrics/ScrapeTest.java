package io.pixartdelta.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 13, metrics gaps, read from a scrape of the Prometheus registry that /metrics serves. */
class ScrapeTest {
  @Test
  void anIdleWorkerExposesItsMetersWithHelpTextsAgeAndInfo() {
    try (PrometheusMetrics prometheus = PrometheusMetrics.create()) {
      WorkerMetrics metrics = new WorkerMetrics(prometheus.registry());
      metrics.registerIdleMeters();
      metrics.registerInfo("1.2.3", "pixart-delta-1024");
      metrics.bindOldestQueued(() -> Duration.ofMillis(90_500));

      String scrape = prometheus.scrape();
      List<String> lines = Arrays.asList(scrape.split("\n"));

      assertThat(lines)
          .contains(
              "pixart_jobs_completed_total{code=\"none\",outcome=\"succeeded\"} 0.0",
              "pixart_images_stored_total 0.0",
              "pixart_batch_render_seconds_count{result=\"ok\"} 0",
              "pixart_batch_stage_seconds_count{stage=\"denoise\"} 0",
              "pixart_job_stage_seconds_count{stage=\"upload\"} 0",
              "pixart_queue_oldest_age_seconds 90.5",
              "pixart_worker_build{model=\"pixart-delta-1024\",version=\"1.2.3\"} 1.0");
      List<String> help = lines.stream().filter(l -> l.startsWith("# HELP ")).toList();
      assertThat(help).isNotEmpty();
      // "# HELP name text": a text after the name on every line.
      assertThat(help).allSatisfy(l -> assertThat(l.split(" ", 4)).hasSize(4));
      assertThat(scrape).doesNotContain("pixart_gpu");
    }
  }

  @Test
  void gpuMemoryIsReadAtEachScrapeAndItsPeakKept() {
    AtomicLong used = new AtomicLong(3_000);
    try (PrometheusMetrics prometheus = PrometheusMetrics.create()) {
      new GpuMemoryMeters(Device.gpu(1), d -> new MemoryUsage(-1, used.get(), used.get(), 80_000))
          .bindTo(prometheus.registry());

      assertThat(prometheus.scrape()).contains("pixart_gpu_memory_used_bytes{gpu=\"1\"} 3000.0");
      used.set(1_000);
      String later = prometheus.scrape();

      assertThat(later)
          .contains(
              "pixart_gpu_memory_used_bytes{gpu=\"1\"} 1000.0",
              "pixart_gpu_memory_used_peak_bytes{gpu=\"1\"} 3000.0",
              "pixart_gpu_memory_total_bytes{gpu=\"1\"} 80000.0");
    }
  }

  @Test
  void gpuDeviceNamesAsTheOptionsWriteThemBindTheMeters() {
    // model.device=gpu:0 once crashed the worker at start here: DJL's Device.fromName refuses it.
    for (String name : new String[] {"gpu:0", "gpu", "cuda:1", "GPU:2"}) {
      try (PrometheusMetrics prometheus = PrometheusMetrics.create()) {
        assertThat(GpuMemoryMeters.bind(prometheus.registry(), name)).as(name).isTrue();
        String id = name.contains(":") ? name.substring(name.indexOf(':') + 1) : "0";
        assertThat(prometheus.registry().find(GpuMemoryMeters.USED).tag("gpu", id).gauge())
            .as(name)
            .isNotNull();
      }
    }
  }

  @Test
  void aCpuWorkerHasNoGpuMeters() {
    try (PrometheusMetrics prometheus = PrometheusMetrics.create()) {
      assertThat(GpuMemoryMeters.bind(prometheus.registry(), "cpu")).isFalse();
      assertThat(prometheus.scrape()).doesNotContain("pixart_gpu");
    }
  }
}
