package io.pixartdelta.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The program client/README.md shows is the example project's source, which the build compiles. */
class ReadmeExampleTest {
  private static final Path EXAMPLE =
      Path.of("../examples/client-example/src/main/java/com/example/render/RenderPosters.java");

  @Test
  void theReadmeListingIsTheCompiledExample() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("```java\n");
    assertThat(start).as("a java listing in client/README.md").isNotNegative();
    int end = readme.indexOf("```", start + "```java\n".length());
    String listing = readme.substring(start + "```java\n".length(), end);

    assertThat(listing).isEqualTo(Files.readString(EXAMPLE, StandardCharsets.UTF_8));
    assertThat(listing).contains("import io.pixartdelta.schemas.RenderJob;");
  }

  @Test
  void theExampleDependsOnTheClientByItsCoordinatesAlone() throws IOException {
    String pom =
        Files.readString(Path.of("../examples/client-example/pom.xml"), StandardCharsets.UTF_8);
    String dependencies =
        pom.substring(pom.indexOf("<dependencies>"), pom.indexOf("</dependencies>"));
    assertThat(dependencies.split("<dependency>", -1)).hasSize(2); // exactly one dependency
    assertThat(dependencies)
        .contains("<groupId>io.pixartdelta</groupId>", "<artifactId>client</artifactId>");
    assertThat(pom).doesNotContain("<parent>");
  }
}
