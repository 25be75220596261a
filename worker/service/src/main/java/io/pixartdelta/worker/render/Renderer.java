package io.pixartdelta.worker.render;

import io.pixartdelta.worker.batch.ShapeKey;
import java.util.List;

/**
 * Turns a micro-batch of same-shape items into images: the seam between the worker and the model.
 *
 * <p>Contract: {@link #render} returns one {@link RenderOutcome} per item, in the same order. A
 * successful outcome holds exactly {@link RenderItem#numImages()} images of exactly {@link
 * RenderItem#width()} × {@link RenderItem#height()} pixels (a binning renderer resizes back), image
 * {@code i} rendered from seed {@link RenderItem#seedOf(int) seedOf(i)}. A bad item fails alone:
 * its outcome carries a {@link JobError} and the other items still render. Throwing (e.g. a native
 * or GPU error) fails the whole call; the service then splits the batch and retries its halves,
 * down to single items (see {@code FailureIsolation}).
 *
 * <p>Calls come from one render thread at a time.
 */
public interface Renderer extends AutoCloseable {

  /** Renders one micro-batch of items that share a {@link #shapeKey(RenderItem) shape key}. */
  List<RenderOutcome> render(List<RenderItem> items);

  /** Identifies the model (and revision) in object metadata and logs. */
  String modelId();

  /** True if items with a {@link RenderItem#control() control input} can be rendered. */
  default boolean supportsControl() {
    return false;
  }

  /**
   * The batch key of an item: items with equal keys may be rendered together. The default keys on
   * the requested size; a renderer that snaps sizes to aspect-ratio bins returns the bin's size so
   * that jobs of nearby sizes share batches.
   */
  default ShapeKey shapeKey(RenderItem item) {
    return new ShapeKey(
        item.width(), item.height(), item.steps(), item.sampler(), item.control() != null);
  }

  /** Releases the model; the default does nothing. */
  @Override
  default void close() {}
}
