package io.pixartdelta.worker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ObjectKeysTest {
  @Test
  void keyIsPrefixJobIdIndexAndExtension() {
    assertThat(ObjectKeys.imageKey("renders/2026", "job-7", 2, "png"))
        .isEqualTo("renders/2026/job-7/2.png");
  }

  @Test
  void emptyOrSlashedPrefixIsNormalised() {
    assertThat(ObjectKeys.imageKey("", "j", 0, "jpg")).isEqualTo("j/0.jpg");
    assertThat(ObjectKeys.imageKey(null, "j", 0, "jpg")).isEqualTo("j/0.jpg");
    assertThat(ObjectKeys.imageKey("/out/", "j", 1, "png")).isEqualTo("out/j/1.png");
  }

  @Test
  void sameInputsGiveTheSameKey() {
    assertThat(ObjectKeys.imageKey("p", "job.1_a-b", 3, "png"))
        .isEqualTo(ObjectKeys.imageKey("p", "job.1_a-b", 3, "png"));
  }

  @Test
  void unsafeInputsAreRefused() {
    assertThatThrownBy(() -> ObjectKeys.imageKey("a/../b", "j", 0, "png"))
        .hasMessageContaining("..");
    assertThatThrownBy(() -> ObjectKeys.imageKey("p", "../j", 0, "png"))
        .hasMessageContaining("jobId");
    assertThatThrownBy(() -> ObjectKeys.imageKey("p", "j", -1, "png"))
        .hasMessageContaining("index");
    assertThatThrownBy(() -> ObjectKeys.imageKey("p", "j", 0, ".png"))
        .hasMessageContaining("extension");
  }

  @Test
  void s3UriRoundTrips() {
    S3Uri uri = S3Uri.parse("s3://renders/a/b/0.png");
    assertThat(uri.bucket()).isEqualTo("renders");
    assertThat(uri.key()).isEqualTo("a/b/0.png");
    assertThat(uri.toString()).isEqualTo("s3://renders/a/b/0.png");
    assertThatThrownBy(() -> S3Uri.parse("http://renders/a")).hasMessageContaining("s3://");
    assertThatThrownBy(() -> S3Uri.parse("s3://renders/")).hasMessageContaining("key");
  }
}
