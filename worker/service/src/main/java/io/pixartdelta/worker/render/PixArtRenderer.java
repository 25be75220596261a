package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.control.ControlImageException;
import io.pixartdelta.pixart.control.ControlImageLimits;
import io.pixartdelta.pixart.control.ControlImagePreparer;
import io.pixartdelta.pixart.control.ControlType;
import io.pixartdelta.pixart.control.PreparedControlImage;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.pipeline.BatchResult;
import io.pixartdelta.pixart.pipeline.ControlCondition;
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
  private final ControlImagePreparer preparer =
      new ControlImagePreparer(ControlImageLimits.defaults());

  public PixArtRenderer(PixArtPipeline pipeline) {
    this.pipeline = pipeline;
  }

  @Override
  public String modelId() {
    return pipeline.modelId();
  }

  @Override
  public boolean supportsControl() {
    return pipeline.hasControlNet();
  }

  @Override
  public ShapeKey shapeKey(RenderItem item) {
    try {
      AspectRatioBins.Bin bin = pipeline.renderSize(request(item, null));
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
      RenderItem it = items.get(i);
      float controlScale = it.control() == null ? -1f : (float) it.control().scale();
      byGuidance
          .computeIfAbsent(guidance(it) * 1000f + controlScale, g -> new ArrayList<>())
          .add(i);
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
      ControlCondition control = null;
      if (item.control() != null) {
        try {
          control = control(item);
        } catch (ControlImageException e) {
          outcomes.set(
              i,
              RenderOutcome.failed(
                  new JobError(codeOf(e), e.getMessage(), false), StageMillis.ZERO));
          continue;
        } catch (IllegalArgumentException e) {
          outcomes.set(
              i,
              RenderOutcome.failed(
                  new JobError(ErrorCodes.CONTROL_IMAGE_INVALID, e.getMessage(), false),
                  StageMillis.ZERO));
          continue;
        }
      }
      requests.add(request(item, control));
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
    if (item.control() != null && !pipeline.hasControlNet()) {
      return new JobError(
          ErrorCodes.UNSUPPORTED_FEATURE, "this worker has no ControlNet loaded", false);
    }
    if (item.control() != null) {
      try {
        ControlType type = ControlType.fromWire(item.control().type());
        if (type == ControlType.HED && !pipeline.hasHed()) {
          return new JobError(
              ErrorCodes.UNSUPPORTED_FEATURE, "this worker has no HED weights loaded", false);
        }
      } catch (IllegalArgumentException e) {
        return new JobError(ErrorCodes.UNSUPPORTED_FEATURE, e.getMessage(), false);
      }
    }
    try {
      pipeline.renderSize(request(item, null));
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

  private static String codeOf(ControlImageException e) {
    switch (e.code()) {
      case TOO_LARGE:
        return ErrorCodes.CONTROL_IMAGE_TOO_LARGE;
      case TYPE_UNAVAILABLE:
        return ErrorCodes.UNSUPPORTED_FEATURE;
      default:
        return ErrorCodes.CONTROL_IMAGE_INVALID;
    }
  }

  /** The control image resized and cropped to the item's render bin, as the reference does. */
  private ControlCondition control(RenderItem item) {
    AspectRatioBins.Bin bin = pipeline.renderSize(request(item, null));
    PreparedControlImage prepared = preparer.prepare(item.control().image(), bin);
    return new ControlCondition(
        prepared, ControlType.fromWire(item.control().type()), (float) item.control().scale());
  }

  private static GenerationRequest request(RenderItem item, ControlCondition control) {
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
        guidance(item),
        control);
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
