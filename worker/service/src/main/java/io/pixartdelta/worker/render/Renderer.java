package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.image.AspectRatioBins;
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

  /** Renders one micro-batch of items that share a {@link RenderItem#batchKey() batch key}. */
  List<RenderOutcome> render(List<RenderItem> items);

  /** Identifies the model (and revision) in object metadata and logs. */
  String modelId();

  /** True if items with a {@link RenderItem#control() control input} can be rendered. */
  default boolean supportsControl() {
    return false;
  }

  /**
   * The size a width × height request renders at, asked once when a job is planned (it becomes
   * {@link RenderItem#renderSize()} and so part of the batch key). The default is the requested
   * size itself; a renderer that snaps sizes to aspect-ratio bins returns the bin, so that jobs of
   * nearby sizes share batches.
   *
   * @throws IllegalArgumentException if the renderer cannot render that size (the job fails with
   *     {@code invalid-job})
   */
  default AspectRatioBins.Bin renderSize(int width, int height, boolean binning) {
    return new AspectRatioBins.Bin(AspectRatioBins.UNBINNED_KEY, height, width);
  }

  /** Releases the model; the default does nothing. */
  @Override
  default void close() {}
}
