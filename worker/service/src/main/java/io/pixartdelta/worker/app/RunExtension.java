package io.pixartdelta.worker.app;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * What a jar adds around {@code run}. The quick-start jar (worker/dev) starts the embedded Kafka
 * and S3 before the worker and submits the demo jobs once it runs; its picocli options join {@code
 * run}'s. The GPU jar has none ({@link #NONE}).
 */
public interface RunExtension {
  /** Adds the extension's flags to the option overrides (same precedence as {@code run}'s). */
  void putOverrides(Map<String, String> overrides);

  /**
   * Called before the renderer loads: starts what the worker needs and returns the options to run
   * with. Started services go to the front of {@code services}, which are closed after the worker.
   */
  WorkerOptions startServices(WorkerOptions options, List<AutoCloseable> services, PrintWriter out);

  /** Called once the worker runs; the result is closed when the worker stops. */
  AutoCloseable startClients(WorkerOptions options, PrintWriter out);

  /** No extension: embedded mode asked for by a file or variable is a usage error. */
  RunExtension NONE =
      new RunExtension() {
        @Override
        public void putOverrides(Map<String, String> overrides) {}

        @Override
        public WorkerOptions startServices(
            WorkerOptions options, List<AutoCloseable> services, PrintWriter out) {
          if (options.embedded().enabled()) {
            throw new OptionsException(
                "embedded mode is in the quick-start jar (worker/target/pixart-worker.jar), not"
                    + " in this one: point the worker at Kafka and S3 instead");
          }
          return options;
        }

        @Override
        public AutoCloseable startClients(WorkerOptions options, PrintWriter out) {
          return () -> {};
        }
      };
}
