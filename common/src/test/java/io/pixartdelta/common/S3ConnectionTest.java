package io.pixartdelta.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class S3ConnectionTest {
  @Test
  void awsDefaultsAndWithersKeepTheOtherFields() {
    S3Connection c =
        S3Connection.aws()
            .withEndpoint(URI.create("http://127.0.0.1:9000"))
            .withPathStyle(true)
            .withCredentials("id", "top-secret")
            .withChecksums(ChecksumMode.WHEN_REQUIRED)
            .withRegion("eu-west-1");
    assertThat(c.endpoint()).hasToString("http://127.0.0.1:9000");
    assertThat(c.region()).isEqualTo("eu-west-1");
    assertThat(c.pathStyle()).isTrue();
    assertThat(c.accessKeyId()).isEqualTo("id");
    assertThat(c.secretAccessKey()).isEqualTo("top-secret");
    assertThat(c.requestChecksum()).isEqualTo(ChecksumMode.WHEN_REQUIRED);
    assertThat(c.responseChecksum()).isEqualTo(ChecksumMode.WHEN_REQUIRED);
    assertThat(c.toString()).doesNotContain("top-secret");
    assertThat(S3Connection.aws().region()).isEqualTo(S3Connection.DEFAULT_REGION);
    assertThat(S3Connection.aws().requestChecksum()).isEqualTo(ChecksumMode.WHEN_SUPPORTED);
  }

  @Test
  void invalidConnectionsAreRefused() {
    assertThatThrownBy(() -> S3Connection.aws().withCredentials("id", null))
        .hasMessageStartingWith("accessKeyId/secretAccessKey");
    assertThatThrownBy(() -> S3Connection.aws().withRegion(" ")).hasMessageStartingWith("region");
    assertThatThrownBy(() -> S3Connection.aws().withEndpoint(URI.create("localhost")))
        .hasMessageStartingWith("endpoint");
  }

  @Test
  void checksumModesParseTheirConfigurationSpelling() {
    assertThat(ChecksumMode.parse("when-required")).isEqualTo(ChecksumMode.WHEN_REQUIRED);
    assertThat(ChecksumMode.parse("when-supported")).isEqualTo(ChecksumMode.WHEN_SUPPORTED);
    assertThatThrownBy(() -> ChecksumMode.parse("always"))
        .hasMessageContaining("when-supported or when-required");
  }
}
