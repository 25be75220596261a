package io.pixartdelta.pixart.pipeline;

import java.util.List;

/** The results of one micro-batch, in request order, with its stage timings. */
public record BatchResult(List<GenerationResult> results, PipelineTimings timings) {
  public BatchResult {
    results = List.copyOf(results);
  }
}
