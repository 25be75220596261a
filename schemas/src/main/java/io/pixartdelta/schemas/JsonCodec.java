package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Reads and writes the wire messages as UTF-8 JSON.
 *
 * <p>Decoding parses the bytes, validates the tree against the JSON Schema file and only then maps
 * it to the record, so every accepted message satisfies the schema. Failures throw {@link
 * InvalidMessageException} with code {@code invalid-json} (not a single JSON document: bad UTF-8,
 * syntax errors, trailing data, duplicate keys), {@code schema-invalid} (with the validator's
 * messages) or {@code invalid-job} (schema-valid but not representable, e.g. a timestamp beyond
 * {@link java.time.Instant#MAX}).
 *
 * <p>Encoding writes instants as ISO-8601 strings and omits null fields and empty collections.
 * Thread-safe: one instance (see {@link #shared()}) serves every thread.
 */
public final class JsonCodec {
  private final ObjectMapper mapper;
  private final SchemaValidator validator;

  /** Creates a codec with its own mapper; compiling the schemas takes some milliseconds. */
  public JsonCodec() {
    this.mapper = newMapper();
    this.validator = new SchemaValidator();
  }

  /** The process-wide codec. */
  public static JsonCodec shared() {
    return Shared.INSTANCE;
  }

  private static final class Shared {
    static final JsonCodec INSTANCE = new JsonCodec();
  }

  private static ObjectMapper newMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        // Registered after JavaTimeModule, so it replaces that module's Instant reader.
        .addModule(
            new SimpleModule().addDeserializer(Instant.class, new Rfc3339InstantDeserializer()))
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        // Exact numbers in trees: a double would turn 9223372036854775807.0 into 2^63 and 1e400
        // into infinity before the schema's limits are checked.
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .defaultPropertyInclusion(
            JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
        .build();
  }

  /** The schema validator this codec uses. */
  public SchemaValidator validator() {
    return validator;
  }

  /** Parses, validates and maps a render job. */
  public RenderJob decodeJob(byte[] json) {
    return decode(json, RenderJob.class, validator::validateJob, "render job");
  }

  /** Parses, validates and maps a status event. */
  public StatusEvent decodeStatus(byte[] json) {
    return decode(json, StatusEvent.class, validator::validateStatus, "status event");
  }

  /** Parses, validates and maps a cancel request. */
  public CancelRequest decodeCancel(byte[] json) {
    return decode(json, CancelRequest.class, validator::validateCancel, "cancel request");
  }

  /** Writes a cancel request. */
  public byte[] encode(CancelRequest request) {
    return write(request);
  }

  /** Writes a render job. */
  public byte[] encode(RenderJob job) {
    return write(job);
  }

  /** Writes a status event. */
  public byte[] encode(StatusEvent event) {
    return write(event);
  }

  /** Parses bytes into a JSON tree; {@code invalid-json} unless they are one JSON document. */
  public JsonNode parse(byte[] json) {
    if (json == null || json.length == 0) {
      throw new InvalidMessageException(
          ErrorCodes.INVALID_JSON, "empty message", List.of(), null, null);
    }
    try {
      JsonNode tree = mapper.readTree(json);
      if (tree == null || tree.isMissingNode()) {
        throw new InvalidMessageException(
            ErrorCodes.INVALID_JSON, "message holds no JSON value", List.of(), null, null);
      }
      return tree;
    } catch (IOException e) {
      throw new InvalidMessageException(
          ErrorCodes.INVALID_JSON,
          "not a JSON document: "
              + (e instanceof JsonProcessingException jpe
                  ? jpe.getOriginalMessage()
                  : e.getMessage()),
          List.of(),
          null,
          e);
    } catch (NumberFormatException e) {
      // Jackson throws this bare, not as a parse error, for a number no BigDecimal can hold (an
      // exponent beyond the int range); like its digit-count limit, it is a document we cannot
      // read.
      throw new InvalidMessageException(
          ErrorCodes.INVALID_JSON,
          "not a JSON document this reader can hold: " + e.getMessage(),
          List.of(),
          null,
          e);
    }
  }

  private <T> T decode(
      byte[] json, Class<T> type, Function<JsonNode, List<String>> validate, String what) {
    JsonNode tree = parse(json);
    String jobId = wellFormedJobId(tree);
    List<String> violations = validate.apply(tree);
    if (!violations.isEmpty()) {
      throw new InvalidMessageException(
          ErrorCodes.SCHEMA_INVALID,
          what + " violates the schema: " + String.join("; ", violations),
          violations,
          jobId,
          null);
    }
    try {
      return mapper.treeToValue(tree, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidMessageException(
          ErrorCodes.INVALID_JOB, what + " cannot be read: " + rootMessage(e), List.of(), jobId, e);
    }
  }

  /**
   * Maps a tree to a record without schema validation, so tests can check that the records alone
   * reject what the schema rejects.
   */
  static <T> T mapUnvalidated(JsonNode tree, Class<T> type) throws JsonProcessingException {
    return StrictMapper.INSTANCE.treeToValue(tree, type);
  }

  /**
   * The codec's mapper without Jackson's scalar coercions ({@code "false"} to a boolean, {@code 1}
   * to a string, {@code 2.5} to an int): the schema rejects those inputs before mapping, and
   * without it the records must not silently accept them either.
   */
  private static final class StrictMapper {
    static final ObjectMapper INSTANCE = strict();

    private static ObjectMapper strict() {
      ObjectMapper strict = newMapper();
      strict.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
      for (LogicalType type : LogicalType.values()) {
        for (CoercionInputShape shape :
            List.of(
                CoercionInputShape.String,
                CoercionInputShape.Integer,
                CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
          boolean integerToFloat = type == LogicalType.Float && shape == CoercionInputShape.Integer;
          if (!integerToFloat) {
            strict.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
          }
        }
      }
      return strict;
    }
  }

  /** The record constructor's message (naming the field) rather than Jackson's wrapper text. */
  private static String rootMessage(Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof JsonProcessingException jpe) {
      return jpe.getOriginalMessage();
    }
    return root.getMessage();
  }

  private static String wellFormedJobId(JsonNode tree) {
    JsonNode id = tree.path("jobId");
    return id.isTextual() && RenderJob.isValidJobId(id.textValue()) ? id.textValue() : null;
  }

  private byte[] write(Object message) {
    try {
      return mapper.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      // Records hold only strings, numbers, enums, instants and collections of those.
      throw new IllegalStateException("cannot serialize " + message.getClass().getSimpleName(), e);
    }
  }
}
