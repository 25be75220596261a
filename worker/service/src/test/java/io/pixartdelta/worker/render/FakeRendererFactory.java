package io.pixartdelta.worker.render;

/** Registers {@link FakeRenderer} as renderer {@code fake} (test classpath only). */
public final class FakeRendererFactory implements RendererFactory {
  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Renderer create(Settings settings) {
    return new FakeRenderer();
  }
}
