package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.pipeline.AspectRatioBins;
import io.pixartdelta.pixart.pipeline.BatchResult;
import io.pixartdelta.pixart.pipeline.GenerationRequest;
import io.pixartdelta.pixart.pipeline.GenerationResult;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.pixart.pipeline.Sampler;
import io.pixartdelta.pixart.pipeline.StageTimings;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.worker.batch.ShapeKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@link Renderer}: one micro-batch → one {@link PixArtPipeline#generate} call. Items are
 * keyed by their render size (the aspect-ratio bin), so jobs of nearby sizes share batches and each
 * is resized back to its own size. An item the pipeline cannot take (bad size, unknown sampler)
 * fails alone with a stable code; the rest of the batch renders.
 */
public final class PixArtRenderer implements Renderer {
  private final PixArtPipeline pipeline;

  public PixArtRenderer(PixArtPipeline pipeline) {
    this.pipeline = pipeline;
  }

  @Override
  public String modelId() {
    return pipeline.modelId();
  }

  @Override
  public ShapeKey shapeKey(RenderItem item) {
    try {
      AspectRatioBins.Bin bin = pipeline.renderSize(request(item));
      return new ShapeKey(
          bin.width(), bin.height(), item.steps(), item.sampler(), item.control() != null);
    } catch (IllegalArgumentException e) {
      // Rejected at render time with a clear error; key it alone so it cannot block others.
      return Renderer.super.shapeKey(item);
    }
  }

  @Override
  public List<RenderOutcome> render(List<RenderItem> items) {
    // One pipeline call per guidance scale: the doubled guided batch shares one scale.
    java.util.Map<Float, List<Integer>> byGuidance = new java.util.LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      byGuidance.computeIfAbsent(guidance(items.get(i)), g -> new ArrayList<>()).add(i);
    }
    List<RenderOutcome> outcomes =
        new ArrayList<>(java.util.Collections.nCopies(items.size(), null));
    for (List<Integer> group : byGuidance.values()) {
      List<RenderItem> part = new ArrayList<>();
      group.forEach(i -> part.add(items.get(i)));
      List<RenderOutcome> done = renderSameGuidance(part);
      for (int k = 0; k < group.size(); k++) {
        outcomes.set(group.get(k), done.get(k));
      }
    }
    return outcomes;
  }

  private List<RenderOutcome> renderSameGuidance(List<RenderItem> items) {
    List<RenderOutcome> outcomes = new ArrayList<>(items.size());
    List<GenerationRequest> requests = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      RenderItem item = items.get(i);
      outcomes.add(null);
      JobError rejected = check(item);
      if (rejected != null) {
        outcomes.set(i, RenderOutcome.failed(rejected, StageMillis.ZERO));
        continue;
      }
      requests.add(request(item));
      positions.add(i);
    }
    if (!requests.isEmpty()) {
      BatchResult result = pipeline.generate(requests);
      StageTimings t = result.timings();
      StageMillis millis =
          new StageMillis(t.textEncodeMs(), t.denoiseMs(), t.decodeMs() + t.postprocessMs());
      for (int k = 0; k < positions.size(); k++) {
        GenerationResult r = result.results().get(k);
        outcomes.set(positions.get(k), RenderOutcome.ok(r.images(), millis));
      }
    }
    return outcomes;
  }

  private JobError check(RenderItem item) {
    try {
      Sampler.fromWire(item.sampler());
    } catch (IllegalArgumentException e) {
      return new JobError(ErrorCodes.UNSUPPORTED_FEATURE, e.getMessage(), false);
    }
    if (item.control() != null) {
      return new JobError(
          ErrorCodes.UNSUPPORTED_FEATURE, "this worker has no ControlNet loaded", false);
    }
    try {
      pipeline.renderSize(request(item));
      return null;
    } catch (IllegalArgumentException e) {
      return new JobError(ErrorCodes.INVALID_JOB, e.getMessage(), false);
    }
  }

  private static float guidance(RenderItem item) {
    Sampler sampler;
    try {
      sampler = Sampler.fromWire(item.sampler());
    } catch (IllegalArgumentException e) {
      return 0f;
    }
    return item.guidanceScale() == null
        ? sampler.defaultGuidance()
        : item.guidanceScale().floatValue();
  }

  private static GenerationRequest request(RenderItem item) {
    return new GenerationRequest(
        item.prompt(),
        item.seed(),
        item.width(),
        item.height(),
        item.binning(),
        item.steps(),
        item.numImages(),
        null,
        Sampler.fromWire(item.sampler()),
        guidance(item));
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
