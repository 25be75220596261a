package io.pixartdelta.worker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3UriTest {
  @Test
  void parsesBucketAndKey() {
    S3Uri uri = S3Uri.parse("s3://controls/edges/a..b/x.png");
    assertThat(uri.bucket()).isEqualTo("controls");
    assertThat(uri.key()).isEqualTo("edges/a..b/x.png");
    assertThat(uri).hasToString("s3://controls/edges/a..b/x.png");
  }

  @Test
  void dotSegmentsThatCouldClimbOutOfAFolderAreRefused() {
    // Issue 11, defect 7: such keys were passed to S3 as they were.
    for (String key :
        new String[] {
          "../secret.png", "edges/../../other/x.png", "edges/./x.png", "edges/..", "..\\x.png", "."
        }) {
      assertThatThrownBy(() -> S3Uri.parse("s3://controls/" + key))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'.' or '..' segments");
      assertThatThrownBy(() -> new S3Uri("controls", key))
          .as(key)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
