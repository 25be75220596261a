package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.control.ControlImageException;
import io.pixartdelta.pixart.control.ControlImageLimits;
import io.pixartdelta.pixart.control.ControlImagePreparer;
import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.control.PreparedControlImage;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.pipeline.BatchResult;
import io.pixartdelta.pixart.pipeline.ControlCondition;
import io.pixartdelta.pixart.pipeline.GenerationRequest;
import io.pixartdelta.pixart.pipeline.GenerationResult;
import io.pixartdelta.pixart.pipeline.PipelineTimings;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.worker.batch.BatchKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real {@link Renderer}: one micro-batch → one {@link PixArtPipeline#generate} call. Items are
 * planned at their render size (the aspect-ratio bin), so jobs of nearby sizes share batches and
 * each is resized back to its own size. An item the pipeline cannot take (bad size or steps, a
 * missing ControlNet or HED, an unusable control image) fails alone with a stable code; the rest of
 * the batch renders.
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
  public AspectRatioBins.Bin renderSize(int width, int height, boolean binning) {
    return pipeline.renderSize(width, height, binning);
  }

  @Override
  public List<RenderOutcome> render(List<RenderItem> items) {
    // One pipeline call per batch key (it holds all a call must share); the batcher hands over one
    // key per batch, other callers may mix them.
    Map<BatchKey, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      groups.computeIfAbsent(items.get(i).batchKey(), key -> new ArrayList<>()).add(i);
    }
    List<RenderOutcome> outcomes = new ArrayList<>(Collections.nCopies(items.size(), null));
    for (List<Integer> group : groups.values()) {
      List<RenderOutcome> done = renderOneCall(group.stream().map(items::get).toList());
      for (int k = 0; k < group.size(); k++) {
        outcomes.set(group.get(k), done.get(k));
      }
    }
    return outcomes;
  }

  private List<RenderOutcome> renderOneCall(List<RenderItem> items) {
    List<RenderOutcome> outcomes = new ArrayList<>(Collections.nCopies(items.size(), null));
    List<GenerationRequest> requests = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Prepared prepared = prepare(items.get(i));
      if (prepared.error() != null) {
        outcomes.set(i, RenderOutcome.failed(prepared.error(), StageMillis.ZERO));
      } else {
        requests.add(prepared.request());
        positions.add(i);
      }
    }
    if (!requests.isEmpty()) {
      BatchResult result = pipeline.generate(requests);
      PipelineTimings t = result.timings();
      StageMillis millis =
          new StageMillis(t.textEncodeMs(), t.denoiseMs(), t.decodeMs() + t.postprocessMs());
      for (int k = 0; k < positions.size(); k++) {
        GenerationResult r = result.results().get(k);
        outcomes.set(positions.get(k), RenderOutcome.ok(r.images(), millis));
      }
    }
    return outcomes;
  }

  /** The pipeline request of an item, or why the item cannot render here. */
  private record Prepared(GenerationRequest request, JobError error) {
    static Prepared failed(String code, String message) {
      return new Prepared(null, new JobError(code, message, false));
    }
  }

  private Prepared prepare(RenderItem item) {
    ControlInput control = item.control();
    if (control != null && !pipeline.hasControlNet()) {
      return Prepared.failed(
          ErrorCodes.UNSUPPORTED_FEATURE, "this worker has no ControlNet loaded");
    }
    if (control != null && control.kind() == ControlMapKind.HED && !pipeline.hasHed()) {
      return Prepared.failed(
          ErrorCodes.UNSUPPORTED_FEATURE, "this worker has no HED weights loaded");
    }
    GenerationRequest request;
    try {
      request =
          new GenerationRequest(
              item.prompt(),
              item.seed(),
              item.width(),
              item.height(),
              item.binning(),
              item.steps(),
              item.numImages(),
              null,
              item.scheduler(),
              item.guidance().scale(),
              null);
    } catch (IllegalArgumentException e) {
      return Prepared.failed(ErrorCodes.INVALID_JOB, e.getMessage());
    }
    if (control == null) {
      return new Prepared(request, null);
    }
    try {
      // The control image resized and cropped to the item's render size, as the reference does.
      PreparedControlImage image = preparer.prepare(control.image(), item.renderSize());
      return new Prepared(
          request.withControl(new ControlCondition(image, control.kind(), control.scale())), null);
    } catch (ControlImageException e) {
      return Prepared.failed(codeOf(e), e.getMessage());
    } catch (IllegalArgumentException e) {
      return Prepared.failed(ErrorCodes.CONTROL_IMAGE_INVALID, e.getMessage());
    }
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

  @Override
  public void close() {
    pipeline.close();
  }
}
