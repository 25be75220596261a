package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The schema files, read as data: their identity, and that every limit, pattern, enum and default
 * the records hard-code is the one the schema states.
 */
class SchemaFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode JOB = load("render-job.v1.schema.json");
  private static final JsonNode STATUS = load("render-status.v1.schema.json");

  private static JsonNode load(String file) {
    try (InputStream in =
        SchemaFilesTest.class.getClassLoader().getResourceAsStream("schemas/" + file)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode jobProperty(String name) {
    return JOB.at("/properties/" + name);
  }

  private static JsonNode def(JsonNode schema, String name) {
    return schema.at("/$defs/" + name);
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  @Test
  void schemasAreVersionedDraft202012DocumentsWithClosedTopLevels() {
    for (JsonNode schema : List.of(JOB, STATUS)) {
      assertThat(schema.path("$schema").asText())
          .isEqualTo("https://json-schema.org/draft/2020-12/schema");
      assertThat(schema.at("/properties/schemaVersion/const").asInt())
          .isEqualTo(RenderJob.SCHEMA_VERSION);
      assertThat(schema.path("additionalProperties").isBoolean()).isTrue();
      assertThat(schema.path("additionalProperties").asBoolean()).isFalse();
      assertThat(texts(schema.path("required"))).contains("schemaVersion", "jobId");
    }
    assertThat(JOB.path("$id").asText()).isEqualTo(SchemaValidator.RENDER_JOB_V1);
    assertThat(STATUS.path("$id").asText()).isEqualTo(SchemaValidator.RENDER_STATUS_V1);
  }

  @Test
  void metadataIsTheOnlyOpenObject() {
    List<String> open = new ArrayList<>();
    collectOpenObjects(JOB, "job", open);
    collectOpenObjects(STATUS, "status", open);

    assertThat(open).containsExactly("job/$defs/metadata");
  }

  private static void collectOpenObjects(JsonNode node, String path, List<String> open) {
    if (node.isObject()) {
      boolean declaresProperties = node.has("properties") || node.has("additionalProperties");
      if ("object".equals(node.path("type").asText()) && declaresProperties) {
        JsonNode additional = node.path("additionalProperties");
        if (!(additional.isBoolean() && !additional.asBoolean())) {
          open.add(path);
        }
      }
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        collectOpenObjects(field.getValue(), path + "/" + field.getKey(), open);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectOpenObjects(node.get(i), path + "/" + i, open);
      }
    }
  }

  @Test
  void everyTopLevelFieldIsDescribed() {
    for (JsonNode schema : List.of(JOB, STATUS)) {
      for (Map.Entry<String, JsonNode> field : schema.path("properties").properties()) {
        JsonNode target = resolve(schema, field.getValue());
        assertThat(target.isMissingNode()).as("target of %s", field.getKey()).isFalse();
        assertThat(field.getValue().has("description") || target.has("description"))
            .as("description of %s", field.getKey())
            .isTrue();
      }
    }
  }

  /** Follows a {@code $ref}: local ones, or into render-job (the only cross-file target). */
  private static JsonNode resolve(JsonNode schema, JsonNode property) {
    String ref = property.path("$ref").asText("");
    if (ref.isEmpty()) {
      return property;
    }
    assertThat(ref).matches("(render-job\\.v1\\.schema\\.json)?#/\\$defs/\\w+");
    JsonNode document = ref.startsWith("#") ? schema : JOB;
    return document.at(ref.substring(ref.indexOf('#') + 1));
  }

  @Test
  void patternsAreTheRecordsPatterns() {
    Map<String, Pattern> expected =
        Map.of(
            "job jobId", Checks.JOB_ID,
            "job bucket", Checks.BUCKET,
            "job prefix", Checks.PREFIX,
            "job control image", Checks.CONTROL_IMAGE,
            "status uri", Checks.S3_URI,
            "status token", Checks.TOKEN,
            "status sha256", Checks.SHA256);
    Map<String, JsonNode> actual =
        Map.of(
            "job jobId", def(JOB, "jobId"),
            "job bucket", def(JOB, "bucket"),
            "job prefix", def(JOB, "outputSpec").at("/properties/prefix"),
            "job control image", def(JOB, "controlSpec").at("/properties/image"),
            "status uri", def(STATUS, "imageResult").at("/properties/uri"),
            "status token", def(STATUS, "token"),
            "status sha256", def(STATUS, "imageResult").at("/properties/sha256"));
    expected.forEach(
        (name, pattern) ->
            assertThat(actual.get(name).path("pattern").asText())
                .as(name)
                .isEqualTo(pattern.pattern()));
  }

  @Test
  void enumsAreTheJavaEnums() {
    assertThat(texts(jobProperty("sampler").path("enum")))
        .containsExactlyElementsOf(Arrays.stream(Sampler.values()).map(Sampler::wireName).toList());
    assertThat(texts(def(JOB, "controlSpec").at("/properties/type/enum")))
        .containsExactlyElementsOf(
            Arrays.stream(ControlType.values()).map(ControlType::wireName).toList());
    assertThat(texts(def(JOB, "outputSpec").at("/properties/format/enum")))
        .containsExactlyElementsOf(
            Arrays.stream(ImageFormat.values()).map(ImageFormat::wireName).toList());
    assertThat(texts(def(STATUS, "imageResult").at("/properties/contentType/enum")))
        .containsExactlyElementsOf(
            Arrays.stream(ImageFormat.values()).map(ImageFormat::contentType).toList());
    assertThat(texts(STATUS.at("/properties/state/enum")))
        .containsExactlyElementsOf(Arrays.stream(JobState.values()).map(Enum::name).toList());
    assertThat(texts(def(STATUS, "errorCode").path("enum")))
        .containsExactlyElementsOf(ErrorCodes.ALL);
  }

  @Test
  void everyErrorCodeIsDescribedInTheSchema() {
    String description = def(STATUS, "errorCode").path("description").asText();
    for (String code : ErrorCodes.ALL) {
      assertThat(description).contains(code + ": ");
    }
  }

  @Test
  void limitsAreTheRecordsLimits() {
    assertThat(jobProperty("prompt").path("maxLength").asInt())
        .isEqualTo(RenderJob.MAX_PROMPT_LENGTH);
    for (String side : List.of("width", "height")) {
      assertThat(jobProperty(side).path("minimum").asInt()).isEqualTo(RenderJob.MIN_SIZE);
      assertThat(jobProperty(side).path("maximum").asInt()).isEqualTo(RenderJob.MAX_SIZE);
    }
    assertThat(jobProperty("steps").path("maximum").asInt()).isEqualTo(RenderJob.MAX_DPM_STEPS);
    assertThat(jobProperty("numImages").path("maximum").asInt()).isEqualTo(RenderJob.MAX_IMAGES);
    assertThat(jobProperty("guidanceScale").path("maximum").asDouble())
        .isEqualTo(RenderJob.MAX_GUIDANCE_SCALE);
    assertThat(jobProperty("priority").path("maximum").asInt()).isEqualTo(RenderJob.MAX_PRIORITY);
    assertThat(jobProperty("priority").path("minimum").asInt()).isEqualTo(-RenderJob.MAX_PRIORITY);
    assertThat(jobProperty("seed").path("maximum").asLong()).isEqualTo(Long.MAX_VALUE);
    JsonNode metadata = def(JOB, "metadata");
    assertThat(metadata.path("maxProperties").asInt()).isEqualTo(Checks.METADATA_MAX_ENTRIES);
    assertThat(metadata.at("/propertyNames/maxLength").asInt())
        .isEqualTo(Checks.METADATA_MAX_KEY_LENGTH);
    assertThat(metadata.at("/additionalProperties/maxLength").asInt())
        .isEqualTo(Checks.METADATA_MAX_VALUE_LENGTH);
    assertThat(def(JOB, "controlSpec").at("/properties/image/maxLength").asInt())
        .isEqualTo(ControlSpec.MAX_IMAGE_LENGTH);
    assertThat(def(JOB, "outputSpec").at("/properties/prefix/maxLength").asInt())
        .isEqualTo(OutputSpec.MAX_PREFIX_LENGTH);
    assertThat(def(STATUS, "errorInfo").at("/properties/message/maxLength").asInt())
        .isEqualTo(ErrorInfo.MAX_MESSAGE_LENGTH);
    assertThat(STATUS.at("/properties/batchSize/maximum").asInt())
        .isEqualTo(StatusEvent.MAX_BATCH_SIZE);
    assertThat(STATUS.at("/properties/results/maxItems").asInt()).isEqualTo(RenderJob.MAX_IMAGES);
    assertThat(def(STATUS, "imageResult").at("/properties/index/maximum").asInt())
        .isEqualTo(RenderJob.MAX_IMAGES - 1);
    assertThat(def(STATUS, "imageResult").at("/properties/width/maximum").asInt())
        .isEqualTo(ImageResult.MAX_SIDE);
  }

  @Test
  void defaultsAreTheRecordsDefaults() {
    RenderJob defaults = RenderJob.of("j", "");

    assertThat(jobProperty("binning").path("default").asBoolean()).isEqualTo(defaults.binning());
    assertThat(jobProperty("steps").path("default").asInt()).isEqualTo(defaults.steps());
    assertThat(jobProperty("numImages").path("default").asInt()).isEqualTo(defaults.numImages());
    assertThat(jobProperty("sampler").path("default").asText())
        .isEqualTo(defaults.sampler().wireName());
    assertThat(jobProperty("priority").path("default").asInt()).isEqualTo(defaults.priority());
    assertThat(def(JOB, "controlSpec").at("/properties/scale/default").asDouble())
        .isEqualTo(ControlSpec.DEFAULT_SCALE);
    assertThat(def(JOB, "outputSpec").at("/properties/format/default").asText())
        .isEqualTo(defaults.output().format().wireName());
  }

  @Test
  void attemptPromisesOnlyWhatAWorkerCanKnow() throws IOException {
    // Issue 11, defect 4: "a redelivery increments it" was promised, but a consumer group keeps no
    // delivery count and redone jobs reported attempt 1. The contract is the producer's header.
    String description = STATUS.path("properties").path("attempt").path("description").asText();
    assertThat(description).contains("pixart.attempt").doesNotContain("increments");
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    assertThat(readme)
        .contains("reports the same `attempt` again")
        .doesNotContain("it goes up when the message is redelivered");
  }

  @Test
  void readmeDocumentsEveryFieldAndErrorCode() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);

    for (JsonNode schema : List.of(JOB, STATUS)) {
      schema
          .path("properties")
          .fieldNames()
          .forEachRemaining(name -> assertThat(readme).contains("`" + name + "`"));
    }
    for (String code : ErrorCodes.ALL) {
      assertThat(readme).contains("`" + code + "`");
    }
  }
}
