package io.pixartdelta.worker.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (one combined broker + controller node), started
 * in-process from {@link KafkaClusterTestKit}.
 *
 * <p>With a single node every internal topic must have replication factor and min ISR 1, otherwise
 * consumer-group commits and producer-id allocation never complete; {@link #start} sets those.
 *
 * <p>The broker listens on a random port. When {@code fixedPort > 0} an additional plaintext
 * listener is opened on that port (the quick start uses 9092 so the producer's default bootstrap
 * address works); {@link #bootstrapServers()} then returns {@code localhost:fixedPort}.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String FIXED_LISTENER = "QUICKSTART";

  private final KafkaClusterTestKit cluster;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaClusterTestKit cluster, String bootstrapServers) {
    this.cluster = cluster;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Formats and starts a broker whose data lives in a fresh folder under {@code baseDir} (deleted
   * on close), or in a temporary folder when {@code baseDir} is null.
   *
   * @param baseDir parent folder for the broker's logs, or null for the system temp folder
   * @param fixedPort extra plaintext listener port, or 0 for none
   */
  public static EmbeddedKafka start(Path baseDir, int fixedPort) {
    if (fixedPort < 0 || fixedPort > 65535) {
      throw new IllegalArgumentException("fixedPort must be 0..65535, got " + fixedPort);
    }
    DoubleCloseWarningFilter.install(); // before anything can shut the broker down
    TestKitNodes.Builder nodesBuilder =
        new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1);
    if (baseDir != null) {
      try {
        Files.createDirectories(baseDir);
        nodesBuilder.setBaseDirectory(Files.createTempDirectory(baseDir, "kafka-"));
      } catch (IOException e) {
        throw new EmbeddedServiceException("cannot create Kafka data folder under " + baseDir, e);
      }
    }
    TestKitNodes nodes = nodesBuilder.build();
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "4")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
            .setConfigProp("share.coordinator.state.topic.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false")
            .setConfigProp("num.partitions", "1")
            .setConfigProp("default.replication.factor", "1")
            .setConfigProp("min.insync.replicas", "1");
    if (fixedPort > 0) {
      String broker = nodes.brokerListenerName().value();
      String controller = nodes.controllerListenerName().value();
      builder
          .setConfigProp(
              "listeners",
              String.format(
                  "%s://localhost:0,%s://localhost:0,%s://localhost:%d",
                  broker, controller, FIXED_LISTENER, fixedPort))
          .setConfigProp(
              "listener.security.protocol.map",
              String.format(
                  "%s:PLAINTEXT,%s:PLAINTEXT,%s:PLAINTEXT", broker, controller, FIXED_LISTENER));
    }
    KafkaClusterTestKit cluster = null;
    try {
      cluster = builder.build();
      formatQuietly(cluster);
      cluster.startup();
      cluster.waitForReadyBrokers();
      String bootstrap = fixedPort > 0 ? "localhost:" + fixedPort : cluster.bootstrapServers();
      return new EmbeddedKafka(cluster, bootstrap);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(cluster);
      throw new EmbeddedServiceException("interrupted while starting the embedded Kafka broker", e);
    } catch (Exception e) {
      closeQuietly(cluster);
      throw new EmbeddedServiceException(
          "cannot start the embedded Kafka broker"
              + (fixedPort > 0 ? " (is port " + fixedPort + " free?)" : ""),
          e);
    }
  }

  /**
   * Formats the node's storage. Kafka's formatter prints its progress to {@code System.out}; the
   * quick start's console should show only the worker's own summary, so that text goes to the debug
   * log instead.
   */
  private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
    PrintStream console = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      cluster.format();
    } finally {
      System.setOut(console);
      LOG.debug("Kafka storage format: {}", captured.toString(StandardCharsets.UTF_8).trim());
    }
  }

  /** Starts a broker in a temporary folder on a random port (tests). */
  public static EmbeddedKafka start() {
    return start(null, 0);
  }

  /** The {@code host:port} list clients bootstrap from. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /**
   * Creates the topics (replication factor 1) if they do not exist yet and waits until they are
   * known to the broker.
   */
  public void createTopics(int partitions, Collection<String> names) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      topics.add(new NewTopic(name, partitions, (short) 1));
    }
    try (Admin admin = admin()) {
      for (var entry : admin.createTopics(topics).values().entrySet()) {
        try {
          entry.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new EmbeddedServiceException("cannot create topic " + entry.getKey(), e);
          }
        }
      }
      waitForTopics(admin, names, Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServiceException("interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new EmbeddedServiceException("timed out creating topics " + names, e);
    }
  }

  private static void waitForTopics(Admin admin, Collection<String> names, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw new EmbeddedServiceException("topics " + names + " did not appear", e);
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * Stops the broker (the node's controller keeps running), waits {@code downtime} and starts it
   * again on the same listeners, as a broker restart looks to clients (fault tests).
   */
  public void restartBroker(Duration downtime) throws InterruptedException {
    for (BrokerServer broker : cluster.brokers().values()) {
      broker.shutdown();
    }
    Thread.sleep(downtime.toMillis());
    for (BrokerServer broker : cluster.brokers().values()) {
      broker.startup();
    }
    try {
      cluster.waitForReadyBrokers();
    } catch (ExecutionException e) {
      throw new EmbeddedServiceException("the restarted broker did not become ready", e);
    }
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new EmbeddedServiceException("error while stopping the embedded Kafka broker", e);
    }
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    if (cluster != null) {
      try {
        cluster.close();
      } catch (Exception suppressed) {
        // The start-up failure is the error worth reporting.
      }
    }
  }
}
