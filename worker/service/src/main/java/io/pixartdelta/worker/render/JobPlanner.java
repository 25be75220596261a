package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.control.ControlImageException;
import io.pixartdelta.pixart.control.SafeImageDecoder;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.OutputSpec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.S3Uri;
import io.pixartdelta.worker.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Applies the worker's defaults and rules to a job: output location (allow-list), feature support,
 * seed, size, render size and control image. This is where a wire job becomes a {@link RenderItem}
 * in the model's types (through {@link ModelTypes}), once.
 */
final class JobPlanner {
  private static final String DATA_PNG = "data:image/png;base64,";

  private final RenderSettings settings;
  private final Renderer renderer;
  private final ObjectStore store;
  private final SafeImageDecoder decoder;
  private final ControlImageBudget budget;

  JobPlanner(RenderSettings settings, Renderer renderer, ObjectStore store) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.store = Objects.requireNonNull(store, "store");
    // The same decoder as the CLI's ControlImagePreparer: header checks before any pixel.
    this.decoder = new SafeImageDecoder(settings.controlLimits());
    this.budget = new ControlImageBudget(settings.controlImageMemory());
  }

  /** Bytes of decoded control images held by planned jobs now. */
  long controlImageBytesHeld() {
    return budget.used();
  }

  /**
   * Checks what needs no I/O: output location and feature support.
   *
   * @throws JobRejectedException if the job cannot be rendered here
   */
  OutputTarget check(RenderJob job) {
    OutputSpec output = job.output();
    String bucket = output.bucket() == null ? settings.defaultBucket() : output.bucket();
    if (!settings.allowList().allows(bucket)) {
      throw new JobRejectedException(
          ErrorInfo.permanent(
              ErrorCodes.OUTPUT_NOT_ALLOWED,
              "bucket '" + bucket + "' is not allowed on this worker"));
    }
    if (job.control() != null && !renderer.supportsControl()) {
      throw new JobRejectedException(
          ErrorInfo.permanent(
              ErrorCodes.UNSUPPORTED_FEATURE,
              "control images (ControlNet) are not supported by this worker's renderer"));
    }
    String prefix = output.prefix() == null ? settings.defaultPrefix() : output.prefix();
    int quality =
        output.jpegQuality() == null ? OutputSpec.DEFAULT_JPEG_QUALITY : output.jpegQuality();
    return new OutputTarget(bucket, prefix, output.format(), quality);
  }

  /**
   * Builds the renderer's item, loading the control image if there is one. The control image's
   * decoded size is reserved in the {@link ControlImageBudget} first (waiting while it is spent);
   * the returned job holds the reservation until {@link PlannedJob#release()}.
   *
   * @throws JobRejectedException if the control image cannot be used or the size not rendered
   * @throws InterruptedException if stopped while waiting for control image memory
   */
  PlannedJob plan(IncomingJob incoming, OutputTarget target) throws InterruptedException {
    RenderJob job = incoming.job();
    if (job.control() == null) {
      return new PlannedJob(incoming, item(job, null), target, ControlImageBudget.NONE);
    }
    byte[] bytes = readControl(job.control());
    ControlImageBudget.Lease lease = reserve(decode(() -> decoder.probeWithinLimits(bytes)));
    try {
      ControlInput control =
          new ControlInput(
              decode(() -> decoder.decode(bytes)),
              ModelTypes.controlMap(job.control().type()),
              (float) job.control().scale());
      return new PlannedJob(incoming, item(job, control), target, lease);
    } catch (RuntimeException | Error e) {
      lease.release();
      throw e;
    }
  }

  /** The item in the model's types, with the default size and seed applied. */
  private RenderItem item(RenderJob job, ControlInput control) {
    int width;
    int height;
    if (job.width() != null) {
      width = job.width();
      height = job.height();
    } else if (control != null) {
      int[] size = sizeWithinJobLimits(control.image().width(), control.image().height(), job);
      width = size[0];
      height = size[1];
    } else {
      width = RenderJob.DEFAULT_SIZE;
      height = RenderJob.DEFAULT_SIZE;
    }
    SchedulerKind scheduler = ModelTypes.scheduler(job.sampler());
    return new RenderItem(
        job.jobId(),
        job.prompt(),
        seedFor(job),
        width,
        height,
        job.binning(),
        renderSize(width, height, job.binning()),
        job.steps(),
        job.numImages(),
        scheduler,
        GuidanceScale.of(job.guidanceScale(), scheduler),
        control);
  }

  private AspectRatioBins.Bin renderSize(int width, int height, boolean binning) {
    try {
      return renderer.renderSize(width, height, binning);
    } catch (IllegalArgumentException e) {
      throw rejected(ErrorCodes.INVALID_JOB, e.getMessage(), e);
    }
  }

  /**
   * The output size of a control job that gives none: the control image's size, brought within the
   * limits a job may request (each side {@value RenderJob#MIN_SIZE}..{@value RenderJob#MAX_SIZE}, a
   * multiple of 8, or of 16 without binning). It is scaled, keeping the aspect ratio, until the
   * short side is at least the minimum and the long side at most the maximum; a ratio beyond 8:1
   * cannot keep both and is clamped.
   */
  static int[] sizeWithinJobLimits(int imageWidth, int imageHeight, RenderJob job) {
    int multiple = job.binning() ? 8 : 16;
    double scale = Math.max(1.0, (double) RenderJob.MIN_SIZE / Math.min(imageWidth, imageHeight));
    scale = Math.min(scale, (double) RenderJob.MAX_SIZE / Math.max(imageWidth, imageHeight));
    return new int[] {
      fitSide(imageWidth * scale, multiple), fitSide(imageHeight * scale, multiple)
    };
  }

  private static int fitSide(double side, int multiple) {
    long rounded = Math.round(side / multiple) * multiple;
    return (int) Math.max(RenderJob.MIN_SIZE, Math.min(RenderJob.MAX_SIZE, rounded));
  }

  private ControlImageBudget.Lease reserve(SafeImageDecoder.Header header)
      throws InterruptedException {
    try {
      return budget.reserve(header.rgbBytes());
    } catch (IllegalArgumentException e) {
      throw rejected(
          ErrorCodes.CONTROL_IMAGE_TOO_LARGE,
          "the control image is "
              + header.width()
              + "x"
              + header.height()
              + ": decoded it "
              + e.getMessage(),
          e);
    }
  }

  /** Runs a decoder step, turning its refusals into the job's error. */
  private static <T> T decode(Supplier<T> step) {
    try {
      return step.get();
    } catch (ControlImageException e) {
      String code =
          e.code() == ControlImageException.Code.TOO_LARGE
              ? ErrorCodes.CONTROL_IMAGE_TOO_LARGE
              : ErrorCodes.CONTROL_IMAGE_INVALID;
      throw rejected(code, e.getMessage(), e);
    }
  }

  /**
   * The job's seed, or one derived from its id when it gives none: a redelivered job then renders
   * the same images. Derived seeds stay below 2^31 so that every client (including JavaScript
   * numbers) reads them exactly.
   */
  static long seedFor(RenderJob job) {
    if (job.seed() != null) {
      return job.seed();
    }
    byte[] digest = sha256(("pixart-seed:" + job.jobId()).getBytes(StandardCharsets.UTF_8));
    long value = 0;
    for (int i = 0; i < 4; i++) {
      value = (value << 8) | (digest[i] & 0xff);
    }
    return value & 0x7fff_ffffL;
  }

  private byte[] readControl(ControlSpec spec) {
    return spec.isS3Reference() ? readS3(spec.image()) : readInline(spec.image());
  }

  private byte[] readS3(String uri) {
    S3Uri location;
    try {
      location = S3Uri.parse(uri);
    } catch (IllegalArgumentException e) {
      throw rejected(ErrorCodes.CONTROL_IMAGE_INVALID, e.getMessage(), e);
    }
    try {
      return store.read(location, settings.maxControlImageBytes());
    } catch (StorageException e) {
      throw switch (e.kind()) {
        case TOO_LARGE -> rejected(ErrorCodes.CONTROL_IMAGE_TOO_LARGE, e.getMessage(), e);
        case NOT_FOUND, NOT_ALLOWED, PERMANENT ->
            rejected(ErrorCodes.CONTROL_IMAGE_NOT_FOUND, e.getMessage(), e);
        case TRANSIENT ->
            new JobRejectedException(
                ErrorInfo.transientFailure(
                    ErrorCodes.CONTROL_IMAGE_NOT_FOUND,
                    "control image unreadable: " + e.getMessage()),
                e);
      };
    }
  }

  private byte[] readInline(String uri) {
    if (!uri.startsWith(DATA_PNG)) {
      throw rejected(
          ErrorCodes.CONTROL_IMAGE_INVALID, "inline control image must be " + DATA_PNG, null);
    }
    String base64 = uri.substring(DATA_PNG.length());
    // Base64 expands 3 bytes into 4 characters: refuse before decoding what is surely too large.
    if (base64.length() / 4L * 3L > settings.maxControlImageBytes() + 3) {
      throw tooLarge(base64.length() / 4L * 3L);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw rejected(ErrorCodes.CONTROL_IMAGE_INVALID, "inline control image is not base64", e);
    }
    if (bytes.length > settings.maxControlImageBytes()) {
      throw tooLarge(bytes.length);
    }
    return bytes;
  }

  private JobRejectedException tooLarge(long bytes) {
    return rejected(
        ErrorCodes.CONTROL_IMAGE_TOO_LARGE,
        "control image has "
            + bytes
            + " bytes, more than the limit of "
            + settings.maxControlImageBytes(),
        null);
  }

  private static JobRejectedException rejected(String code, String message, Throwable cause) {
    return new JobRejectedException(ErrorInfo.permanent(code, message), cause);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
