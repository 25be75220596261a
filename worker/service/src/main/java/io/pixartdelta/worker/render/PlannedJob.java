package io.pixartdelta.worker.render;

import java.util.Objects;

/**
 * A job ready for the batcher: what to render and where the images go.
 *
 * @param incoming the job as read
 * @param item what the renderer gets
 * @param target where the images go
 */
public record PlannedJob(IncomingJob incoming, RenderItem item, OutputTarget target) {
  public PlannedJob {
    Objects.requireNonNull(incoming, "incoming");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(target, "target");
  }
}
