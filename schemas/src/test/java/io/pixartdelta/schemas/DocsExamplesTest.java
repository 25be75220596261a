package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Python and shell examples of docs/other-languages.md send schema-valid jobs and read fields
 * the status schema has.
 */
class DocsExamplesTest {
  private static final Path DOC = Path.of("../docs/other-languages.md");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SchemaValidator validator = new SchemaValidator();

  private static String block(String language) throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int start = doc.indexOf("```" + language + "\n");
    assertThat(start).as("a " + language + " block in " + DOC).isNotNegative();
    return doc.substring(start, doc.indexOf("```", start + 3 + language.length()));
  }

  @Test
  void thePythonJobIsValid() throws IOException {
    String python = block("python");
    // The dict literal is written in JSON's syntax; the script then sets submittedAt to now.
    Matcher literal = Pattern.compile("(?s)\njob = (\\{.*?\n})\n").matcher(python);
    assertThat(literal.find()).isTrue();
    JsonNode job = JSON.readTree(literal.group(1));
    assertThat(validator.validateJob(job)).isEmpty();
    assertThat(python).contains("job[\"submittedAt\"] = datetime.now(timezone.utc)");
    assertThat(python).contains("\"%Y-%m-%dT%H:%M:%SZ\"");
  }

  @Test
  void theShellJobIsValidOnceItsPlaceholdersAreFilled() throws IOException {
    String shell = block("sh");
    Matcher format = Pattern.compile("JOB=\\$\\(printf '([^']*)'").matcher(shell);
    assertThat(format.find()).isTrue();
    // As printf fills it: the job id, then `date -u +%Y-%m-%dT%H:%M:%SZ`.
    String job =
        format
            .group(1)
            .replaceFirst("%s", "sh-cat-001")
            .replaceFirst("%s", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    assertThat(shell).contains("\"$JOB_ID\" \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"");
    assertThat(validator.validateJob(JSON.readTree(job))).isEmpty();
  }

  @Test
  void theStatusFieldsTheExamplesReadExist() throws IOException {
    JsonNode schema;
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream(SchemaValidator.RESOURCE_DIR + "render-status.v1.schema.json")) {
      schema = JSON.readTree(in);
    }
    assertThat(schema.at("/properties").fieldNames())
        .toIterable()
        .contains("state", "results", "error", "jobId");
    assertThat(block("python")).contains("event[\"state\"]", "image[\"uri\"]");
    assertThat(JSON.writeValueAsString(schema)).contains("\"uri\"");
  }
}
