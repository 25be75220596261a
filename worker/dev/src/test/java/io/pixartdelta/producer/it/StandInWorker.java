package io.pixartdelta.producer.it;

import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.InvalidMessageException;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StageTimings;
import io.pixartdelta.schemas.StatusEvent;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A test stand-in for the render worker: consumes the jobs topic and publishes status events,
 * misbehaving on purpose according to words in the prompt.
 *
 * <ul>
 *   <li>default: ACCEPTED, STARTED, SUCCEEDED with a real PNG of the requested size in S3;
 *   <li>{@code dup}: every event published twice; {@code ooo}: events in reverse order;
 *   <li>{@code fail}: FAILED render-failed; {@code expire}: EXPIRED; {@code silent}: no event;
 *   <li>{@code retry}: attempt 1 ACCEPTED+STARTED, then attempt 2 from scratch (a redelivery);
 *   <li>a job with a control image: FAILED control-image-not-found unless the object exists.
 * </ul>
 *
 * <p>Before each job it also publishes an event for a job nobody submitted and an undecodable
 * record, which clients must ignore.
 */
final class StandInWorker implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final String jobsTopic;
  private final String statusTopic;
  private final S3Client s3;
  private final String defaultBucket;
  private final JsonCodec codec = JsonCodec.shared();
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final AtomicInteger ghosts = new AtomicInteger();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Thread thread;

  StandInWorker(
      String bootstrap, String jobsTopic, String statusTopic, S3Client s3, String defaultBucket) {
    this.jobsTopic = jobsTopic;
    this.statusTopic = statusTopic;
    this.s3 = s3;
    this.defaultBucket = defaultBucket;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "stand-in-worker",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class));
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class));
    this.thread = new Thread(this::run, "stand-in-worker");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** How many times a job id was read from the jobs topic. */
  int timesReceived(String jobId) {
    AtomicInteger n = received.get(jobId);
    return n == null ? 0 : n.get();
  }

  private void run() {
    try {
      consumer.subscribe(List.of(jobsTopic));
      while (!closing.get()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          handle(record.value());
        }
        producer.flush();
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      if (!closing.get()) {
        throw e;
      }
    } finally {
      consumer.close();
      producer.close();
    }
  }

  private void handle(byte[] value) {
    RenderJob job;
    try {
      job = codec.decodeJob(value);
    } catch (InvalidMessageException e) {
      return;
    }
    received.computeIfAbsent(job.jobId(), k -> new AtomicInteger()).incrementAndGet();
    noise();
    String prompt = job.prompt();
    Instant t = Instant.now();
    List<StatusEvent> events = new ArrayList<>();
    if (prompt.contains("silent")) {
      return;
    }
    events.add(StatusEvent.accepted(job, 1, "stand-in", t));
    if (prompt.contains("fail")) {
      events.add(
          StatusEvent.failed(
              job, 1, "stand-in", t, ErrorInfo.permanent(ErrorCodes.RENDER_FAILED, "asked to")));
    } else if (prompt.contains("expire")) {
      events.add(StatusEvent.expired(job, 1, "stand-in", t));
    } else if (job.control() != null && !exists(job.control().image())) {
      events.add(
          StatusEvent.failed(
              job,
              1,
              "stand-in",
              t,
              ErrorInfo.permanent(
                  ErrorCodes.CONTROL_IMAGE_NOT_FOUND, "no object " + job.control().image())));
    } else {
      int attempt = 1;
      if (prompt.contains("retry")) {
        events.add(StatusEvent.started(job, 1, "stand-in", t, "batch-0", 1));
        attempt = 2;
        events.add(StatusEvent.accepted(job, 2, "stand-in", t));
      }
      events.add(StatusEvent.started(job, attempt, "stand-in", t, "batch-1", 1));
      events.add(
          StatusEvent.succeeded(
              job,
              attempt,
              "stand-in",
              t,
              Instant.now(),
              "batch-1",
              1,
              new StageTimings(1L, 1L, 1L, 1L, 1L, 1L),
              render(job)));
    }
    if (prompt.contains("ooo")) {
      java.util.Collections.reverse(events);
    }
    for (StatusEvent event : events) {
      publish(event);
      if (prompt.contains("dup")) {
        publish(event);
      }
    }
  }

  private void noise() {
    String ghost = "ghost-" + ghosts.incrementAndGet();
    publish(
        StatusEvent.builder(ghost, io.pixartdelta.schemas.JobState.STARTED)
            .workerId("stand-in")
            .eventTime(Instant.now())
            .startedAt(Instant.now())
            .build());
    producer.send(
        new ProducerRecord<>(statusTopic, "garbage", "not json".getBytes(StandardCharsets.UTF_8)));
  }

  private void publish(StatusEvent event) {
    producer.send(new ProducerRecord<>(statusTopic, event.jobId(), codec.encode(event)));
  }

  private List<ImageResult> render(RenderJob job) {
    int w = job.width() == null ? 256 : job.width();
    int h = job.height() == null ? 256 : job.height();
    String bucket = job.output().bucket() != null ? job.output().bucket() : defaultBucket;
    String prefix = job.output().prefix() != null ? job.output().prefix() : "renders";
    List<ImageResult> results = new ArrayList<>();
    for (int i = 0; i < job.numImages(); i++) {
      long seed = (job.seed() == null ? 1000 : job.seed()) + i;
      byte[] png = png(w, h, seed);
      String key = prefix + "/" + job.jobId() + "/" + i + ".png";
      s3.putObject(
          PutObjectRequest.builder().bucket(bucket).key(key).contentType("image/png").build(),
          RequestBody.fromBytes(png));
      results.add(
          new ImageResult(
              i, "s3://" + bucket + "/" + key, w, h, seed, sha256(png), "image/png", png.length));
    }
    return results;
  }

  private boolean exists(String uri) {
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    try {
      s3.headObject(b -> b.bucket(rest.substring(0, slash)).key(rest.substring(slash + 1)));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  static byte[] png(int w, int h, long seed) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, (int) ((x * 255 / w) << 16 | (y * 255 / h) << 8 | (seed & 0xff)));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closing.set(true);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
