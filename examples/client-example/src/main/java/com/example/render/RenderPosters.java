package com.example.render;

import io.pixartdelta.producer.JobResult;
import io.pixartdelta.producer.RenderClient;
import io.pixartdelta.schemas.RenderJob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Renders ten posters and prints where their images are. */
public final class RenderPosters {
  private RenderPosters() {}

  public static void main(String[] args) {
    String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
    String run = Long.toString(System.currentTimeMillis(), 36); // job ids are idempotency keys
    try (RenderClient client = RenderClient.builder(bootstrap).build()) {
      List<RenderJob> jobs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        jobs.add(
            RenderJob.builder("poster-" + run + "-" + i, "a lighthouse at dusk, variant " + i)
                .size(1024, 768)
                .seed((long) i)
                .build());
      }
      List<CompletableFuture<JobResult>> futures = client.submitAll(jobs);
      for (CompletableFuture<JobResult> future : futures) {
        JobResult result = future.join(); // terminal: SUCCEEDED, FAILED, EXPIRED or CANCELLED
        if (result.succeeded()) {
          result.results().forEach(image -> System.out.println(image.uri()));
        } else {
          System.err.println(result.jobId() + " " + result.state() + " " + result.errorCode());
        }
      }
    }
  }
}
