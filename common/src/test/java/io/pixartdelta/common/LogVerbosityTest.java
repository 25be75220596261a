package io.pixartdelta.common;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogVerbosityTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @AfterEach
  void restoreTheTestConfig() throws Exception {
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @Test
  void verboseBringsLibrariesToInfoAndOurOwnToDebug() {
    context.getLogger("org.apache.kafka").setLevel(Level.ERROR);
    context.getLogger("ai.djl.util.cuda.CudaUtils").setLevel(Level.ERROR);
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);

    LogVerbosity.verbose();

    assertThat(context.getLogger("org.apache.kafka.clients.NetworkClient").getEffectiveLevel())
        .isEqualTo(Level.INFO);
    assertThat(context.getLogger("ai.djl.util.cuda.CudaUtils").getEffectiveLevel())
        .isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.pixartdelta.producer.RenderClient").getEffectiveLevel())
        .isEqualTo(Level.DEBUG);
  }
}
