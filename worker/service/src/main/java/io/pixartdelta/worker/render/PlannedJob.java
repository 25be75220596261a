package io.pixartdelta.worker.render;

import java.util.Objects;

/**
 * A job ready for the batcher: what to render and where the images go.
 *
 * @param incoming the job as read
 * @param item what the renderer gets
 * @param target where the images go
 * @param controlMemory the decoded control image's share of the {@link ControlImageBudget}; {@link
 *     #release()} it once the job is finished or dropped
 */
public record PlannedJob(
    IncomingJob incoming,
    RenderItem item,
    OutputTarget target,
    ControlImageBudget.Lease controlMemory) {
  public PlannedJob {
    Objects.requireNonNull(incoming, "incoming");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(controlMemory, "controlMemory");
  }

  /** Frees the control image's memory reservation (idempotent). */
  public void release() {
    controlMemory.release();
  }
}
