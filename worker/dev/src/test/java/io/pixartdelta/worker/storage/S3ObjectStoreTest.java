package io.pixartdelta.worker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.common.ChecksumMode;
import io.pixartdelta.common.S3Connection;
import io.pixartdelta.worker.embedded.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** Runs the S3 store against a real in-process S3Proxy. */
class S3ObjectStoreTest {
  private static final String BUCKET = "renders";
  private static EmbeddedS3 s3;

  @BeforeAll
  static void startS3() {
    s3 = EmbeddedS3.startTransient();
    s3.createBuckets(Set.of(BUCKET, "other-bucket"));
  }

  @AfterAll
  static void stopS3() {
    s3.close();
  }

  private static S3StoreSettings settings(ChecksumMode checksums, int retryAttempts) {
    return new S3StoreSettings(
        S3Connection.aws()
            .withEndpoint(s3.endpoint())
            .withPathStyle(true)
            .withCredentials(s3.accessKey(), s3.secretKey())
            .withChecksums(checksums),
        1,
        Duration.ofSeconds(10),
        new S3StoreSettings.RetrySettings(
            retryAttempts, Duration.ofMillis(10), Duration.ofMillis(50)),
        new S3StoreSettings.BreakerSettings(10, 5, 50, Duration.ofSeconds(1)),
        new BucketAllowList(Set.of(BUCKET)));
  }

  @Test
  void uploadStoresBytesContentTypeAndMetadata() {
    byte[] bytes = "not really a png".getBytes(StandardCharsets.UTF_8);
    Map<String, String> metadata = Map.of("job-id", "job-1", "seed", "42");
    try (ObjectStore store = new S3ObjectStore(settings(ChecksumMode.WHEN_SUPPORTED, 3));
        S3Client client = S3ObjectStore.buildClient(settings(ChecksumMode.WHEN_SUPPORTED, 1))) {
      StoredObject stored =
          store.putIfAbsent(
              new ObjectUpload(BUCKET, "a/job-1/0.png", bytes, "image/png", metadata));

      assertThat(stored.reused()).isFalse();
      assertThat(stored.uri().toString()).isEqualTo("s3://renders/a/job-1/0.png");
      assertThat(stored.bytes()).isEqualTo(bytes.length);
      byte[] read =
          client.getObjectAsBytes(b -> b.bucket(BUCKET).key("a/job-1/0.png")).asByteArray();
      assertThat(read).isEqualTo(bytes);
      HeadObjectResponse head = client.headObject(b -> b.bucket(BUCKET).key("a/job-1/0.png"));
      assertThat(head.contentType()).isEqualTo("image/png");
      assertThat(head.metadata()).containsAllEntriesOf(metadata);
    }
  }

  @Test
  void secondUploadToTheSameKeyKeepsTheFirstObject() {
    try (ObjectStore store = new S3ObjectStore(settings(ChecksumMode.WHEN_REQUIRED, 3))) {
      byte[] first = {1, 2, 3};
      byte[] second = {9, 9, 9, 9, 9};
      store.putIfAbsent(
          new ObjectUpload(BUCKET, "b/0.png", first, "image/png", Map.of("seed", "1")));

      StoredObject again =
          store.putIfAbsent(
              new ObjectUpload(BUCKET, "b/0.png", second, "image/png", Map.of("seed", "2")));

      assertThat(again.reused()).isTrue();
      assertThat(again.bytes()).isEqualTo(first.length);
      assertThat(again.metadata()).containsEntry("seed", "1");
      assertThat(store.read(S3Uri.parse("s3://renders/b/0.png"), 100)).isEqualTo(first);
    }
  }

  @Test
  void bucketsOutsideTheAllowListAreRefusedWithoutCallingS3() {
    try (ObjectStore store = new S3ObjectStore(settings(ChecksumMode.WHEN_SUPPORTED, 3))) {
      assertThatThrownBy(
              () ->
                  store.putIfAbsent(
                      new ObjectUpload("other-bucket", "k", new byte[1], "image/png", Map.of())))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_ALLOWED));
    }
  }

  @Test
  void readReportsMissingAndOversizedObjects() {
    try (ObjectStore store = new S3ObjectStore(settings(ChecksumMode.WHEN_SUPPORTED, 3))) {
      store.putIfAbsent(new ObjectUpload(BUCKET, "c/big.png", new byte[64], "image/png", Map.of()));

      assertThatThrownBy(() -> store.read(S3Uri.parse("s3://renders/c/missing.png"), 100))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND));
      assertThatThrownBy(() -> store.read(S3Uri.parse("s3://renders/c/big.png"), 10))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.TOO_LARGE));
    }
  }

  @Test
  void unreachableServerIsTransientAndRetriedUpToTheLimit() {
    S3StoreSettings base = settings(ChecksumMode.WHEN_SUPPORTED, 3);
    S3StoreSettings unreachable =
        new S3StoreSettings(
            base.connection().withEndpoint(java.net.URI.create("http://127.0.0.1:1")),
            1,
            Duration.ofSeconds(2),
            base.retry(),
            base.breaker(),
            base.allowList());
    try (ObjectStore store = new S3ObjectStore(unreachable)) {
      assertThatThrownBy(
              () ->
                  store.putIfAbsent(
                      new ObjectUpload(BUCKET, "d/0.png", new byte[1], "image/png", Map.of())))
          .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retryable()).isTrue());
    }
  }
}
