package io.pixartdelta.worker.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;

/**
 * A real S3-compatible HTTP server (S3Proxy) in-process, with either a filesystem blob store (the
 * quick start keeps its images under a data folder across restarts) or an in-memory one (tests).
 *
 * <p>Clients use path-style addressing, any region and the static credentials of {@link
 * #accessKey()}/{@link #secretKey()} (AWS signature v2 or v4).
 */
public final class EmbeddedS3 implements AutoCloseable {
  /** The access key id the server accepts. */
  public static final String ACCESS_KEY = "pixart";

  /** The secret key the server accepts. */
  public static final String SECRET_KEY = "pixart-secret";

  private final S3Proxy proxy;
  private final BlobStore blobStore;
  private final URI endpoint;

  private EmbeddedS3(S3Proxy proxy, BlobStore blobStore, URI endpoint) {
    this.proxy = proxy;
    this.blobStore = blobStore;
    this.endpoint = endpoint;
  }

  /**
   * Starts a server whose objects are files under {@code dataDir} (kept after close).
   *
   * @param port TCP port on 127.0.0.1, or 0 for a random one
   */
  public static EmbeddedS3 startFilesystem(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new EmbeddedServiceException("cannot create S3 data folder " + dataDir, e);
    }
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
    return start(BlobStores.create("filesystem-nio2", properties), port);
  }

  /** Starts a server whose objects live in memory (lost on close), on a random port. */
  public static EmbeddedS3 startTransient() {
    return start(BlobStores.create("transient-nio2", new Properties()), 0);
  }

  private static EmbeddedS3 start(BlobStore blobStore, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    try {
      proxy.start(); // Jetty's start() returns once the connector is bound.
    } catch (Exception e) {
      stopQuietly(proxy);
      throw new EmbeddedServiceException(
          "cannot start S3Proxy" + (port > 0 ? " (is port " + port + " free?)" : ""), e);
    }
    return new EmbeddedS3(proxy, blobStore, URI.create("http://127.0.0.1:" + proxy.getPort()));
  }

  /** Creates the buckets that do not exist yet. */
  public void createBuckets(Collection<String> buckets) {
    for (String bucket : buckets) {
      if (!blobStore.containerExists(bucket)) {
        blobStore.createContainer(bucket, CreateContainerOptions.NONE);
      }
    }
  }

  /** The HTTP endpoint, e.g. {@code http://127.0.0.1:9000}. */
  public URI endpoint() {
    return endpoint;
  }

  /** The access key id the server accepts. */
  public String accessKey() {
    return ACCESS_KEY;
  }

  /** The secret key the server accepts. */
  public String secretKey() {
    return SECRET_KEY;
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new EmbeddedServiceException("error while stopping S3Proxy", e);
    } finally {
      blobStore.close();
    }
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception suppressed) {
      // The start-up failure is the error worth reporting.
    }
  }
}
