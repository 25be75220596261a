package io.pixartdelta.worker.dev;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this process between two points, split by who spent it (thread-name groups: the
 * embedded broker, S3Proxy, the worker's stages, the load generator, and the JVM itself). On a
 * shared machine wall-clock throughput depends on the neighbours; CPU milliseconds per job do not,
 * so they say what the same code sustains on idle cores.
 */
final class CpuSplit {
  /** Thread-name prefixes of each group, matched in order; the rest is "other threads". */
  private static final Map<String, String[]> GROUPS = groups();

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final long processStart;
  private final Map<Long, Long> threadStart = new HashMap<>();

  private CpuSplit() {
    processStart = processCpuNanos();
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu >= 0) {
        threadStart.put(id, cpu);
      }
    }
  }

  /** Starts measuring. */
  static CpuSplit start() {
    return new CpuSplit();
  }

  /**
   * CPU milliseconds per group since {@link #start()}, plus "total" and the remainder no Java
   * thread accounts for: GC and JIT threads, libtorch's native compute threads, threads that ended.
   */
  Map<String, Double> stop() {
    Map<String, Double> ms = new LinkedHashMap<>();
    GROUPS.keySet().forEach(g -> ms.put(g, 0.0));
    ms.put("other threads", 0.0);
    double threadSum = 0;
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      ThreadInfo info = threads.getThreadInfo(id);
      if (cpu < 0 || info == null) {
        continue;
      }
      double spent = (cpu - threadStart.getOrDefault(id, 0L)) / 1e6;
      threadSum += spent;
      ms.merge(group(info.getThreadName()), spent, Double::sum);
    }
    double total = (processCpuNanos() - processStart) / 1e6;
    ms.put("JVM (GC, JIT), native (libtorch) and ended threads", Math.max(0, total - threadSum));
    ms.put("total", total);
    return ms;
  }

  private static String group(String threadName) {
    for (Map.Entry<String, String[]> g : GROUPS.entrySet()) {
      for (String prefix : g.getValue()) {
        if (threadName.startsWith(prefix)) {
          return g.getKey();
        }
      }
    }
    return "other threads";
  }

  private static Map<String, String[]> groups() {
    Map<String, String[]> g = new LinkedHashMap<>();
    g.put("worker: render loop", new String[] {"render-loop", "render-prepare"});
    g.put("worker: encode + upload", new String[] {"render-upload"});
    g.put("worker: consumer loop", new String[] {"kafka-consumer"});
    g.put("worker: consumer network thread", new String[] {"consumer_background_thread"});
    g.put("worker: status producer", new String[] {"kafka-producer-network-thread | e2e-bench"});
    g.put("load generator (client)", new String[] {"main", "pixart-e2e-bench", "kafka-producer"});
    g.put("S3Proxy (embedded S3)", new String[] {"S3Proxy", "qtp", "user thread"});
    g.put(
        "Kafka broker (embedded)",
        new String[] {
          "data-plane-kafka",
          "kafka-",
          "broker-",
          "group-coordinator",
          "quorum-controller",
          "controller-",
          "ExpirationReaper",
          "executor-",
          "log-",
          "share-",
          "transaction-",
          "raft-",
          "LogDirFailureHandler",
          "ReplicaFetcher",
          "TxnMarker",
          "metrics-"
        });
    return g;
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }
}
