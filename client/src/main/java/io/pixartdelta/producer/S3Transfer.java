package io.pixartdelta.producer;

import io.pixartdelta.common.S3Clients;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ImageResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Control-image uploads and result downloads over S3 (AWS SDK v2, synchronous client; objects are
 * small, single-part PUT/GET).
 *
 * <p>Uploads are content-addressed ({@code {prefix}/{sha256}.{png|jpg}}) and conditional ({@code
 * If-None-Match: *}): uploading the same file twice writes once and returns the same reference.
 * Downloads are verified against the size and SHA-256 the worker reported. Thread-safe.
 */
public final class S3Transfer implements AutoCloseable {
  private static final int HTTP_PRECONDITION_FAILED = 412;
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] JPEG_MAGIC = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

  private final S3Settings settings;
  private final AwsCredentialsProvider credentials;
  private final S3Client s3;
  private volatile boolean credentialsFound;

  public S3Transfer(S3Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.credentials = S3Clients.credentials(settings.connection());
    this.s3 = S3Clients.builder(settings.connection(), credentials).build();
  }

  /**
   * Resolves the credentials (once they are found, never again), so that a missing configuration
   * fails with its own short message instead of the SDK's report on every provider it tried.
   *
   * @throws S3CredentialsException when there are none
   */
  public void requireCredentials() {
    if (credentialsFound) {
      return;
    }
    try {
      credentials.resolveCredentials();
      credentialsFound = true;
    } catch (SdkClientException e) {
      throw new S3CredentialsException(
          "no S3 credentials: none were given and the AWS default chain (environment, system"
              + " properties, profile, container or instance role) has none",
          e);
    }
  }

  /**
   * Uploads a local PNG or JPEG to the control bucket and returns a control spec referencing it.
   *
   * @param scale control strength 0..2 (1.0 is the usual value)
   * @throws IllegalArgumentException when the file is not a PNG/JPEG or no control bucket is set
   * @throws InfrastructureException when the object store fails
   */
  public ControlSpec uploadControlImage(Path file, ControlType type, double scale) {
    requireCredentials();
    String bucket = settings.controlBucket();
    if (bucket == null) {
      throw new IllegalArgumentException(
          "controlBucket: not configured, cannot upload control image " + file);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read control image " + file + ": " + e, e);
    }
    String ext;
    String contentType;
    if (startsWith(bytes, PNG_MAGIC)) {
      ext = "png";
      contentType = "image/png";
    } else if (startsWith(bytes, JPEG_MAGIC)) {
      ext = "jpg";
      contentType = "image/jpeg";
    } else {
      throw new IllegalArgumentException("control image must be a PNG or JPEG file: " + file);
    }
    String name = sha256Hex(bytes) + "." + ext;
    String key = settings.controlPrefix().isEmpty() ? name : settings.controlPrefix() + "/" + name;
    S3Location location = new S3Location(bucket, key);
    putIfAbsent(location, bytes, contentType);
    return new ControlSpec(location.toString(), type, scale);
  }

  /**
   * Writes bytes unless the key already exists ({@code If-None-Match: *}; a 412 means another
   * upload of the same content-addressed object got there first).
   */
  void putIfAbsent(S3Location location, byte[] bytes, String contentType) {
    try {
      s3.putObject(
          PutObjectRequest.builder()
              .bucket(location.bucket())
              .key(location.key())
              .contentType(contentType)
              .ifNoneMatch("*")
              .build(),
          RequestBody.fromBytes(bytes));
    } catch (S3Exception e) {
      if (e.statusCode() != HTTP_PRECONDITION_FAILED) {
        throw new InfrastructureException("cannot upload " + location + ": " + e.getMessage(), e);
      }
    } catch (SdkException e) {
      throw new InfrastructureException("cannot upload " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Downloads one rendered image into {@code dir} as {@code {jobId}-{index}.{ext}} (the last two
   * segments of its key), verifying size and SHA-256. An existing file is replaced atomically.
   *
   * @return the written file
   * @throws InfrastructureException when the download fails or the bytes do not match the result
   */
  public Path download(ImageResult image, Path dir) {
    requireCredentials();
    S3Location location = S3Location.parse(image.uri());
    String[] segments = location.key().split("/");
    String name =
        segments.length >= 2
            ? segments[segments.length - 2] + "-" + segments[segments.length - 1]
            : segments[segments.length - 1];
    Path target = dir.resolve(name);
    Path temp = null;
    try {
      Files.createDirectories(dir);
      // Not Files.createTempFile: that makes the image owner-only (0600) instead of honouring
      // umask.
      temp = dir.resolve("." + name + "." + UUID.randomUUID() + ".part");
      MessageDigest sha = sha256();
      long written;
      try (ResponseInputStream<GetObjectResponse> in =
              s3.getObject(
                  GetObjectRequest.builder()
                      .bucket(location.bucket())
                      .key(location.key())
                      .build());
          OutputStream out =
              new DigestOutputStream(
                  Files.newOutputStream(
                      temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                  sha)) {
        written = in.transferTo(out);
      }
      String digest = HexFormat.of().formatHex(sha.digest());
      if (written != image.bytes()) {
        throw new InfrastructureException(
            "downloaded " + written + " bytes of " + location + ", expected " + image.bytes());
      }
      if (image.sha256() != null && !image.sha256().equalsIgnoreCase(digest)) {
        throw new InfrastructureException(
            "SHA-256 of " + location + " is " + digest + ", expected " + image.sha256());
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      temp = null;
      return target;
    } catch (IOException e) {
      throw new InfrastructureException("cannot write " + target + ": " + e, e);
    } catch (SdkException e) {
      throw new InfrastructureException("cannot download " + location + ": " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // Best effort: a leftover .part file is harmless.
        }
      }
    }
  }

  /** Downloads every image of a successful job; see {@link #download(ImageResult, Path)}. */
  public List<Path> download(JobResult result, Path dir) {
    List<Path> files = new ArrayList<>();
    for (ImageResult image : result.results()) {
      files.add(download(image, dir));
    }
    return files;
  }

  /**
   * The objects under a key prefix, at most {@code max} of them, in key order.
   *
   * @throws InfrastructureException when the object store fails
   */
  public List<S3Location> list(String bucket, String keyPrefix, int max) {
    requireCredentials();
    try {
      List<S3Location> found = new ArrayList<>();
      s3.listObjectsV2(
              ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix).maxKeys(max).build())
          .contents()
          .forEach(object -> found.add(new S3Location(bucket, object.key())));
      return found;
    } catch (SdkException e) {
      throw new InfrastructureException(
          "cannot list s3://" + bucket + "/" + keyPrefix + ": " + e.getMessage(), e);
    }
  }

  /** Reads a whole object (small objects only). */
  byte[] read(S3Location location) {
    try (InputStream in =
        s3.getObject(
            GetObjectRequest.builder().bucket(location.bucket()).key(location.key()).build())) {
      return in.readAllBytes();
    } catch (IOException | SdkException e) {
      throw new InfrastructureException("cannot read " + location + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }

  private static boolean startsWith(byte[] bytes, byte[] magic) {
    if (bytes.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (bytes[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
