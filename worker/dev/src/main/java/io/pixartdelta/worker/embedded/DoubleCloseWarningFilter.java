package io.pixartdelta.worker.embedded;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Drops one warning of the embedded broker's shutdown: Kafka's test kit closes the broker's channel
 * to its controller twice and the network client warns about the second, harmless close. Every
 * other message of that logger passes.
 */
final class DoubleCloseWarningFilter extends TurboFilter {
  private static final String LOGGER = "org.apache.kafka.clients.NetworkClient";
  private static final String MESSAGE = "Attempting to close NetworkClient that has already been";

  /** Adds the filter to Logback once; nothing when another SLF4J backend is in use. */
  static void install() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
        && context.getTurboFilterList().stream()
            .noneMatch(f -> f instanceof DoubleCloseWarningFilter)) {
      DoubleCloseWarningFilter filter = new DoubleCloseWarningFilter();
      filter.start();
      context.addTurboFilter(filter);
    }
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    boolean noise =
        level == Level.WARN
            && format != null
            && format.contains(MESSAGE)
            && LOGGER.equals(logger.getName());
    return noise ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
