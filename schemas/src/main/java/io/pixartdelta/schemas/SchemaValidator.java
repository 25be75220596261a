package io.pixartdelta.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /** {@code $id} of the render-cancel schema, version 1. */
  public static final String RENDER_CANCEL_V1 = ID_BASE + "render-cancel.v1.schema.json";

  /** Schema versions this code reads. */
  public static final Set<Integer> SUPPORTED_VERSIONS = Set.of(RenderJob.SCHEMA_VERSION);

  private final JsonSchema jobSchema;
  private final JsonSchema statusSchema;
  private final JsonSchema cancelSchema;

  /** Loads and compiles the schemas; fails fast if a schema file is missing or malformed. */
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
    this.cancelSchema = factory.getSchema(SchemaLocation.of(RENDER_CANCEL_V1), config);
    jobSchema.initializeValidators();
    statusSchema.initializeValidators();
    cancelSchema.initializeValidators();
  }

  /** Violations of the render-job schema; empty if {@code json} is a valid job. */
  public List<String> validateJob(JsonNode json) {
    return validate(jobSchema, json);
  }

  /** Violations of the render-status schema; empty if {@code json} is a valid status event. */
  public List<String> validateStatus(JsonNode json) {
    return validate(statusSchema, json);
  }

  /** Violations of the render-cancel schema; empty if {@code json} is a valid cancel request. */
  public List<String> validateCancel(JsonNode json) {
    return validate(cancelSchema, json);
  }

  private static List<String> validate(JsonSchema schema, JsonNode json) {
    List<String> unsupported = unsupportedVersion(json);
    if (!unsupported.isEmpty()) {
      return unsupported;
    }
    Set<ValidationMessage> messages;
    try {
      messages = schema.validate(exactIntegers(json));
    } catch (RuntimeException e) {
      // A hostile document must never escape as anything but a violation.
      return List.of("(root): the validator failed on this document: " + e);
    }
    return messages.stream().map(SchemaValidator::describe).sorted().toList();
  }

  /**
   * The document with every integral number written with a fraction or an exponent ({@code 1e30},
   * {@code 4.0}) turned into an exact integer node. The validator compares such decimal nodes with
   * a {@code long} bound through {@code longValue()}, which wraps around: {@code 1e30} passed the
   * seed's maximum and {@code 1.0e19} failed its minimum. Integers with more than {@value
   * #MAX_INTEGER_DIGITS} digits become ±10^{@value #MAX_INTEGER_DIGITS}, beyond every limit in the
   * schemas, so a hostile exponent cannot make a huge {@link BigInteger}. Containers are copied
   * only where something changes.
   */
  @SuppressWarnings("ReferenceEquality") // identity on purpose: an unchanged node comes back as is
  static JsonNode exactIntegers(JsonNode node) {
    if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
      return Double.isNaN(node.doubleValue())
          ? node
          : beyondEveryLimit(node.doubleValue() > 0 ? 1 : -1);
    }
    if (node.isBigDecimal() || node.isDouble() || node.isFloat()) {
      BigDecimal value = node.decimalValue();
      if (value.signum() == 0) {
        return BigIntegerNode.valueOf(BigInteger.ZERO);
      }
      if (value.precision() - value.scale() > MAX_INTEGER_DIGITS) {
        return beyondEveryLimit(value.signum());
      }
      BigDecimal stripped = value.stripTrailingZeros();
      return stripped.scale() <= 0 ? BigIntegerNode.valueOf(stripped.toBigIntegerExact()) : node;
    }
    if (node.isObject()) {
      ObjectNode copy = null;
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        JsonNode exact = exactIntegers(field.getValue());
        if (exact != field.getValue()) {
          copy = copy == null ? ((ObjectNode) node).deepCopy() : copy;
          copy.set(field.getKey(), exact);
        }
      }
      return copy == null ? node : copy;
    }
    if (node.isArray()) {
      ArrayNode copy = null;
      for (int i = 0; i < node.size(); i++) {
        JsonNode exact = exactIntegers(node.get(i));
        if (exact != node.get(i)) {
          copy = copy == null ? ((ArrayNode) node).deepCopy() : copy;
          copy.set(i, exact);
        }
      }
      return copy == null ? node : copy;
    }
    return node;
  }

  private static final int MAX_INTEGER_DIGITS = 40;

  private static JsonNode beyondEveryLimit(int signum) {
    return BigIntegerNode.valueOf(
        BigInteger.TEN.pow(MAX_INTEGER_DIGITS).multiply(BigInteger.valueOf(signum)));
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
