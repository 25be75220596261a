package io.pixartdelta.producer.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies the {@link EmbeddedStack} to test methods and lifecycle methods that declare it. One
 * stack serves every test class of the run: it lives in the root context's store, which closes it
 * (an {@link AutoCloseable}) when the test plan ends.
 */
final class EmbeddedStackExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EmbeddedStackExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent("stack", key -> new EmbeddedStack(), EmbeddedStack.class);
  }
}
