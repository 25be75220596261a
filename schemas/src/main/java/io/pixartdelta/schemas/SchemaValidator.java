package io.pixartdelta.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validates JSON documents against the contract's JSON Schema files (draft 2020-12), which are the
 * source of truth; the records only mirror them.
 *
 * <p>The schemas are read from the classpath under {@value #RESOURCE_DIR}: their {@code $id}s
 * ({@value #ID_BASE}...) are mapped there, so nothing is fetched over the network. {@code format}
 * is asserted (e.g. {@code date-time}) and {@code pattern}'s {@code $} anchors at the end of the
 * input, as in ECMA-262 (see {@link EcmaRegularExpressionFactory}). Thread-safe: the compiled
 * schemas are immutable.
 */
public final class SchemaValidator {
  /** Classpath folder of the schema files. */
  public static final String RESOURCE_DIR = "schemas/";

  /** Common prefix of the schemas' {@code $id}s. */
  public static final String ID_BASE = "https://pixartdelta.io/schemas/";

  /** {@code $id} of the render-job schema, version 1. */
  public static final String RENDER_JOB_V1 = ID_BASE + "render-job.v1.schema.json";

  /** {@code $id} of the render-status schema, version 1. */
  public static final String RENDER_STATUS_V1 = ID_BASE + "render-status.v1.schema.json";

  /** Schema versions this code reads. */
  public static final Set<Integer> SUPPORTED_VERSIONS = Set.of(RenderJob.SCHEMA_VERSION);

  private final JsonSchema jobSchema;
  private final JsonSchema statusSchema;

  /** Loads and compiles both schemas; fails fast if a schema file is missing or malformed. */
  public SchemaValidator() {
    JsonSchemaFactory factory =
        JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V202012,
            builder ->
                builder.schemaMappers(
                    mappers -> mappers.mapPrefix(ID_BASE, "classpath:" + RESOURCE_DIR)));
    SchemaValidatorsConfig config =
        SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .regularExpressionFactory(EcmaRegularExpressionFactory.INSTANCE)
            .locale(Locale.ROOT)
            .pathType(PathType.JSON_POINTER)
            .build();
    this.jobSchema = factory.getSchema(SchemaLocation.of(RENDER_JOB_V1), config);
    this.statusSchema = factory.getSchema(SchemaLocation.of(RENDER_STATUS_V1), config);
    jobSchema.initializeValidators();
    statusSchema.initializeValidators();
  }

  /** Violations of the render-job schema; empty if {@code json} is a valid job. */
  public List<String> validateJob(JsonNode json) {
    return validate(jobSchema, json);
  }

  /** Violations of the render-status schema; empty if {@code json} is a valid status event. */
  public List<String> validateStatus(JsonNode json) {
    return validate(statusSchema, json);
  }

  private static List<String> validate(JsonSchema schema, JsonNode json) {
    List<String> unsupported = unsupportedVersion(json);
    if (!unsupported.isEmpty()) {
      return unsupported;
    }
    Set<ValidationMessage> messages;
    try {
      messages = schema.validate(json);
    } catch (RuntimeException e) {
      // A hostile document must never escape as anything but a violation.
      return List.of("(root): the validator failed on this document: " + e);
    }
    return messages.stream().map(SchemaValidator::describe).sorted().toList();
  }

  /** {@code <JSON pointer>: <problem>}, with the document itself shown as {@code (root)}. */
  private static String describe(ValidationMessage message) {
    String location = message.getInstanceLocation().toString();
    return (location.isEmpty() ? "(root)" : location) + ": " + message.getError();
  }

  /**
   * A single clear violation when the document declares a version this code does not read, instead
   * of the v1 schema's noise about fields a later version may have added.
   */
  private static List<String> unsupportedVersion(JsonNode json) {
    JsonNode version = json.path("schemaVersion");
    if (version.isIntegralNumber()
        && !(version.canConvertToInt() && SUPPORTED_VERSIONS.contains(version.intValue()))) {
      return List.of(
          "/schemaVersion: unsupported version "
              + version.asText()
              + "; this reader supports "
              + SUPPORTED_VERSIONS);
    }
    return List.of();
  }
}
