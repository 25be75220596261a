package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ErrorCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders a batch so that a renderer failure (a native or GPU error, out of memory) costs only the
 * job that causes it.
 *
 * <p>When the renderer throws on a batch, the batch is split in halves and each half is rendered
 * again, down to single jobs; a job that throws when rendered alone gets one more try alone (a
 * transient device error should not fail it), and a job that throws alone twice fails with {@code
 * render-failed}. One bad job in a batch of {@code n} costs about {@code 2·log2(n)} extra calls
 * instead of {@code n}. The worker keeps serving: nothing here is fatal.
 */
final class FailureIsolation {
  private static final Logger LOG = LoggerFactory.getLogger(FailureIsolation.class);

  /** Tries of a single job before it fails; the first may be part of a larger batch's failure. */
  static final int SOLO_TRIES = 2;

  private final Renderer renderer;

  FailureIsolation(Renderer renderer) {
    this.renderer = Objects.requireNonNull(renderer, "renderer");
  }

  /** One outcome per item, in order; never throws for a renderer failure. */
  List<RenderOutcome> render(List<RenderItem> items) {
    try {
      return attempt(items);
    } catch (RuntimeException | OutOfMemoryError e) {
      if (items.size() == 1) {
        return List.of(retryAlone(items.get(0), e));
      }
      LOG.warn("batch of {} failed ({}); splitting it in halves", items.size(), e.toString());
      int half = items.size() / 2;
      List<RenderOutcome> outcomes = new ArrayList<>(render(items.subList(0, half)));
      outcomes.addAll(render(items.subList(half, items.size())));
      return outcomes;
    }
  }

  private RenderOutcome retryAlone(RenderItem item, Throwable first) {
    LOG.warn("job {} failed alone ({}); trying it once more", item.jobId(), first.toString());
    try {
      return attempt(List.of(item)).get(0);
    } catch (RuntimeException | OutOfMemoryError e) {
      LOG.warn("job {} failed alone {} times", item.jobId(), SOLO_TRIES, e);
      return RenderOutcome.failed(
          new JobError(
              ErrorCodes.RENDER_FAILED,
              "rendering failed alone " + SOLO_TRIES + " times: " + e,
              false),
          StageMillis.ZERO);
    }
  }

  private List<RenderOutcome> attempt(List<RenderItem> items) {
    List<RenderOutcome> outcomes = renderer.render(items);
    if (outcomes.size() != items.size()) {
      throw new IllegalStateException(
          "renderer returned " + outcomes.size() + " outcomes for " + items.size() + " items");
    }
    return outcomes;
  }
}
