package io.pixartdelta.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * {@code --verbose} for the command-line tools: the quiet default configs keep libraries at WARN
 * (or ERROR for known noise); verbose puts our own loggers at DEBUG and everything else at INFO.
 */
public final class LogVerbosity {
  private static final String OWN = "io.pixartdelta";

  private LogVerbosity() {}

  /** Switches to verbose logging; a no-op when Logback is not the SLF4J backend. */
  public static void verbose() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another backend: its own configuration decides
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Logger logger : context.getLoggerList()) {
      if (logger != root && logger.getLevel() != null) {
        logger.setLevel(null); // inherit from the root or from io.pixartdelta
      }
    }
    root.setLevel(Level.INFO);
    context.getLogger(OWN).setLevel(Level.DEBUG);
  }
}
