package io.pixartdelta.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pixartdelta.schemas.RenderJob;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The library on a submit-only classpath, without the optional AWS SDK: the {@code without-aws-sdk}
 * surefire execution of this module removes it and enables this class.
 */
@EnabledIfSystemProperty(named = "pixart.test.without-aws-sdk", matches = "true")
class WithoutAwsSdkTest {
  @Test
  void theClasspathReallyHasNoAwsSdk() {
    assertThatThrownBy(() -> Class.forName("software.amazon.awssdk.services.s3.S3Client"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void aSubmitOnlyClientBuildsSubmitsAndCloses() {
    // Nothing listens on port 1: the job times out instead of being sent, and nothing needs S3.
    try (RenderClient client =
        RenderClient.builder("localhost:1")
            .connectTimeout(Duration.ofMillis(500))
            .defaultTimeout(Duration.ofSeconds(1))
            .build()) {
      CompletableFuture<JobResult> result = client.submit(RenderJob.of("no-aws-1", "a cat"));
      assertThat(result).failsWithin(Duration.ofSeconds(30));
      assertThat(RenderClient.class.getDeclaredMethods()).isNotEmpty(); // signatures resolve
    }
  }

  @Test
  void theS3HelpersNameTheMissingDependency() {
    assertThatThrownBy(() -> RenderClient.builder("localhost:1").s3(S3Settings.defaults()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("software.amazon.awssdk:s3");
  }
}
