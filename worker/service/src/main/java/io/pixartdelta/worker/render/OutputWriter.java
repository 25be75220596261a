package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.image.ImageParameters;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.ImageFormat;
import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.worker.storage.ObjectKeys;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.ObjectUpload;
import io.pixartdelta.worker.storage.S3Uri;
import io.pixartdelta.worker.storage.StoredObject;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Encodes one job's images and stores them under their deterministic keys with provenance metadata
 * and the request's {@link RequestFingerprint}. When an object already exists (a redelivered job),
 * the stored copy is reported, as it is stored; if it was made for a different request under the
 * same jobId the job fails with {@code job-id-conflict}. Unless {@link ParameterEmbedding} says
 * otherwise, each file also carries its prompt and settings.
 */
final class OutputWriter {
  private static final long MAX_REREAD_BYTES = 256L * 1024 * 1024;

  /** The images as stored, and the time spent per stage. */
  record Written(List<ImageResult> results, long encodeMs, long uploadMs) {}

  private final ObjectStore store;
  private final OutputImageEncoder encoder;
  private final String workerId;
  private final String modelId;
  private final String rawModelId;
  private final ParameterEmbedding embedding;

  OutputWriter(
      ObjectStore store,
      OutputImageEncoder encoder,
      String workerId,
      String modelId,
      ParameterEmbedding embedding) {
    this.store = Objects.requireNonNull(store, "store");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.workerId = ascii(workerId);
    this.modelId = ascii(modelId);
    this.rawModelId = modelId;
    this.embedding = Objects.requireNonNull(embedding, "embedding");
  }

  /**
   * Encodes and uploads every image of {@code job}.
   *
   * @throws io.pixartdelta.worker.storage.StorageException if storing fails
   */
  Written write(PlannedJob job, List<BufferedImage> images) {
    RenderJob request = job.incoming().job();
    OutputTarget target = job.target();
    String promptSha = HexFormat.of().formatHex(JobPlanner.sha256(utf8(request.prompt())));
    RequestFingerprint fingerprint = RequestFingerprint.of(job);
    List<ImageResult> results = new ArrayList<>();
    long encodeNanos = 0;
    long uploadNanos = 0;
    for (int index = 0; index < images.size(); index++) {
      BufferedImage image = images.get(index);
      long seed = job.item().seedOf(index);

      long t0 = System.nanoTime();
      ImageParameters parameters =
          embedding.appliesTo(request) ? parameters(job.item(), seed, image) : null;
      byte[] bytes =
          target.format() == ImageFormat.JPEG
              ? encoder.jpeg(image, target.jpegQuality(), parameters)
              : encoder.png(image, parameters);
      String sha256 = HexFormat.of().formatHex(JobPlanner.sha256(bytes));
      long t1 = System.nanoTime();

      Map<String, String> metadata = new LinkedHashMap<>(fingerprint.metadata());
      metadata.put("width", Integer.toString(image.getWidth()));
      metadata.put("height", Integer.toString(image.getHeight()));
      metadata.put("job-id", request.jobId());
      metadata.put("model-id", modelId);
      metadata.put("seed", Long.toString(seed));
      metadata.put("steps", Integer.toString(request.steps()));
      metadata.put("sampler", request.sampler().wireName());
      metadata.put("prompt-sha256", promptSha);
      metadata.put("sha256", sha256);
      metadata.put("worker-id", workerId);
      String key =
          ObjectKeys.imageKey(target.prefix(), request.jobId(), index, target.format().extension());
      StoredObject stored =
          store.putIfAbsent(
              new ObjectUpload(
                  target.bucket(), key, bytes, target.format().contentType(), metadata));
      if (stored.reused()) {
        checkSameRequest(request.jobId(), fingerprint, stored);
      }
      results.add(describe(stored, index, image, seed, sha256, bytes.length));
      uploadNanos += System.nanoTime() - t1;
      encodeNanos += t1 - t0;
    }
    return new Written(results, encodeNanos / 1_000_000, uploadNanos / 1_000_000);
  }

  /**
   * The results of a job whose images are all stored already by an earlier delivery of the same
   * request, described from the objects' metadata (nothing is read or rendered); empty when any
   * image is missing or was stored without a fingerprint, so the job renders (and the upload keeps
   * whatever exists).
   *
   * @throws JobRejectedException with {@code job-id-conflict} if a stored image was made for a
   *     different request under the same jobId
   * @throws io.pixartdelta.worker.storage.StorageException if the store fails
   */
  Optional<List<ImageResult>> findStored(PlannedJob job) {
    RenderJob request = job.incoming().job();
    OutputTarget target = job.target();
    RequestFingerprint fingerprint = RequestFingerprint.of(job);
    List<ImageResult> results = new ArrayList<>();
    for (int index = 0; index < job.item().numImages(); index++) {
      String key =
          ObjectKeys.imageKey(target.prefix(), request.jobId(), index, target.format().extension());
      Optional<StoredObject> found = store.find(new S3Uri(target.bucket(), key));
      if (found.isEmpty()) {
        return Optional.empty();
      }
      StoredObject stored = found.get();
      if (RequestFingerprint.stored(stored.metadata()) == null) {
        return Optional.empty();
      }
      checkSameRequest(request.jobId(), fingerprint, stored);
      Map<String, String> meta = stored.metadata();
      Integer width = number(meta.get("width"));
      Integer height = number(meta.get("height"));
      String sha256 = meta.get("sha256");
      if (width == null || height == null || sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
        return Optional.empty();
      }
      results.add(
          new ImageResult(
              index,
              stored.uri().toString(),
              width,
              height,
              job.item().seedOf(index),
              sha256,
              stored.contentType(),
              stored.bytes()));
    }
    return Optional.of(results);
  }

  /** Fails the job if {@code stored} was made for a different request under this jobId. */
  private static void checkSameRequest(
      String jobId, RequestFingerprint fingerprint, StoredObject stored) {
    RequestFingerprint earlier = RequestFingerprint.stored(stored.metadata());
    if (earlier == null) {
      return; // stored before fingerprints: nothing to compare
    }
    List<String> differing = fingerprint.differingFields(earlier);
    if (!differing.isEmpty()) {
      throw new JobRejectedException(
          ErrorInfo.permanent(
              ErrorCodes.JOB_ID_CONFLICT,
              "jobId '"
                  + jobId
                  + "' was already rendered for a different request ("
                  + stored.uri()
                  + "); fields that differ: "
                  + String.join(", ", differing)));
    }
  }

  private static Integer number(String text) {
    return text != null && text.matches("\\d{1,9}") ? Integer.valueOf(text) : null;
  }

  private ImageParameters parameters(RenderItem item, long seed, BufferedImage image) {
    return new ImageParameters(
        item.prompt(),
        seed,
        item.steps(),
        item.scheduler().wire(),
        item.guidance().reported(),
        image.getWidth(),
        image.getHeight(),
        rawModelId);
  }

  /** The result for the object as stored: ours, or the copy an earlier attempt stored. */
  private ImageResult describe(
      StoredObject stored, int index, BufferedImage image, long seed, String sha256, long bytes) {
    if (!stored.reused()) {
      return new ImageResult(
          index,
          stored.uri().toString(),
          image.getWidth(),
          image.getHeight(),
          seed,
          sha256,
          stored.contentType(),
          bytes);
    }
    String storedSha = stored.metadata().get("sha256");
    if (storedSha == null || !storedSha.matches("[0-9a-f]{64}")) {
      storedSha =
          HexFormat.of().formatHex(JobPlanner.sha256(store.read(stored.uri(), MAX_REREAD_BYTES)));
    }
    long storedSeed = seed;
    String seedText = stored.metadata().get("seed");
    if (seedText != null && seedText.matches("\\d{1,19}")) {
      storedSeed = Long.parseLong(seedText);
    }
    Integer storedWidth = number(stored.metadata().get("width"));
    Integer storedHeight = number(stored.metadata().get("height"));
    return new ImageResult(
        index,
        stored.uri().toString(),
        storedWidth == null ? image.getWidth() : storedWidth,
        storedHeight == null ? image.getHeight() : storedHeight,
        storedSeed,
        storedSha,
        stored.contentType(),
        stored.bytes());
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Metadata travels in HTTP headers: keep printable ASCII only. */
  private static String ascii(String text) {
    return text.replaceAll("[^\\x21-\\x7e]", "_");
  }
}
