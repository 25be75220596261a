package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.ErrorInfo;
import io.pixartdelta.schemas.OutputSpec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.worker.storage.ObjectStore;
import io.pixartdelta.worker.storage.S3Uri;
import io.pixartdelta.worker.storage.StorageException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Applies the worker's defaults and rules to a job: output location (allow-list), feature support,
 * seed, size and control image.
 */
final class JobPlanner {
  private static final String DATA_PNG = "data:image/png;base64,";

  private final RenderSettings settings;
  private final boolean controlSupported;
  private final ObjectStore store;

  JobPlanner(RenderSettings settings, boolean controlSupported, ObjectStore store) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.controlSupported = controlSupported;
    this.store = Objects.requireNonNull(store, "store");
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
    if (job.control() != null && !controlSupported) {
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

  /** True if planning this job reads a control image (do it off the consumer thread). */
  boolean needsIo(RenderJob job) {
    return job.control() != null;
  }

  /**
   * Builds the renderer's item, loading the control image if there is one.
   *
   * @throws JobRejectedException if the control image cannot be used
   */
  PlannedJob plan(IncomingJob incoming, OutputTarget target) {
    RenderJob job = incoming.job();
    ControlInput control = job.control() == null ? null : loadControl(job.control());
    int width;
    int height;
    if (job.width() != null) {
      width = job.width();
      height = job.height();
    } else if (control != null) {
      width = control.image().getWidth();
      height = control.image().getHeight();
    } else {
      width = RenderJob.DEFAULT_SIZE;
      height = RenderJob.DEFAULT_SIZE;
    }
    RenderItem item =
        new RenderItem(
            job.jobId(),
            job.prompt(),
            seedFor(job),
            width,
            height,
            job.binning(),
            job.steps(),
            job.numImages(),
            job.sampler().wireName(),
            job.guidanceScale(),
            control);
    return new PlannedJob(incoming, item, target);
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

  private ControlInput loadControl(ControlSpec spec) {
    byte[] bytes = spec.isS3Reference() ? readS3(spec.image()) : readInline(spec.image());
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw rejected(ErrorCodes.CONTROL_IMAGE_INVALID, "control image cannot be decoded", e);
    }
    if (image == null) {
      throw rejected(ErrorCodes.CONTROL_IMAGE_INVALID, "control image is not a PNG or JPEG", null);
    }
    return new ControlInput(image, spec.type().wireName(), spec.scale());
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
