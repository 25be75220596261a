package io.pixartdelta.worker.render;

import java.time.Duration;

/**
 * Registers {@link FakeRenderer} as renderer {@code fake} (test classpath only). The system
 * property {@code pixart.fake.batch-millis} gives its batch time, so a worker process started by a
 * test can be killed mid-batch.
 */
public final class FakeRendererFactory implements RendererFactory {
  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Renderer create(Settings settings) {
    long batchMillis = Long.getLong("pixart.fake.batch-millis", 0);
    return new FakeRenderer(false, Duration.ofMillis(batchMillis));
  }
}
