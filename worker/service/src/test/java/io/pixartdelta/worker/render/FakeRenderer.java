package io.pixartdelta.worker.render;

import ai.djl.engine.EngineException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the PixArt pipeline in tests: deterministic gradient images of the requested size,
 * whose colours depend on the seed. A prompt containing {@code "#fail"} fails that item alone; one
 * containing {@code "#throw"} makes a batch of several items throw (alone it fails). Simulated
 * native failures, thrown as DJL's {@link EngineException}: {@code "#crash"} throws every time,
 * alone too; {@code "#flaky"} throws the first time its job is rendered only. A batch time makes
 * every call take at least that long (to kill or stop a worker mid-batch).
 */
public final class FakeRenderer implements Renderer {
  private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
  private final List<RenderItem> items = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> flakyThrown = ConcurrentHashMap.newKeySet();
  private final boolean controlSupported;
  private final Duration batchTime;
  private volatile boolean closed;

  /** A renderer without ControlNet. */
  public FakeRenderer() {
    this(false);
  }

  /** A renderer that claims ControlNet support when {@code controlSupported}. */
  public FakeRenderer(boolean controlSupported) {
    this(controlSupported, Duration.ZERO);
  }

  /** A renderer whose every call takes at least {@code batchTime}. */
  public FakeRenderer(boolean controlSupported, Duration batchTime) {
    this.controlSupported = controlSupported;
    this.batchTime = batchTime;
  }

  @Override
  public boolean supportsControl() {
    return controlSupported;
  }

  @Override
  public List<RenderOutcome> render(List<RenderItem> items) {
    batches.add(items.stream().map(RenderItem::jobId).toList());
    this.items.addAll(items);
    sleep(batchTime);
    for (RenderItem item : items) {
      if (item.prompt().contains("#throw") && items.size() > 1) {
        throw new IllegalStateException("simulated out of memory");
      }
      if (item.prompt().contains("#crash")) {
        throw new EngineException("simulated native failure on " + item.jobId());
      }
      if (item.prompt().contains("#flaky") && flakyThrown.add(item.jobId())) {
        throw new EngineException("simulated transient device error on " + item.jobId());
      }
    }
    List<RenderOutcome> outcomes = new ArrayList<>();
    for (RenderItem item : items) {
      if (item.prompt().contains("#fail") || item.prompt().contains("#throw")) {
        outcomes.add(
            RenderOutcome.failed(
                new JobError("render-failed", "simulated failure", false), StageMillis.ZERO));
        continue;
      }
      List<BufferedImage> images = new ArrayList<>();
      for (int i = 0; i < item.numImages(); i++) {
        images.add(gradient(item.width(), item.height(), item.seedOf(i)));
      }
      outcomes.add(RenderOutcome.ok(images, new StageMillis(1, 2, 3)));
    }
    return outcomes;
  }

  private static void sleep(Duration time) {
    if (time.isZero()) {
      return;
    }
    try {
      Thread.sleep(time.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while rendering", e);
    }
  }

  /** A horizontal red and vertical green ramp, blue from the seed. */
  public static BufferedImage gradient(int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int blue = (int) (seed % 256);
    // Straight into the int raster: setRGB per pixel made the fake cost more than the plumbing
    // the e2e bench measures with it.
    int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < height; y++) {
      int green = y * 255 / Math.max(1, height - 1);
      for (int x = 0; x < width; x++) {
        int red = x * 255 / Math.max(1, width - 1);
        pixels[y * width + x] = (red << 16) | (green << 8) | blue;
      }
    }
    return image;
  }

  @Override
  public String modelId() {
    return "fake-gradient";
  }

  /** The job ids of every batch rendered, in order. */
  public List<List<String>> batches() {
    synchronized (batches) {
      return List.copyOf(batches);
    }
  }

  /** Every item rendered, in order. */
  public List<RenderItem> items() {
    synchronized (items) {
      return List.copyOf(items);
    }
  }

  /** True once closed. */
  public boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
