package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden sample: valid ones validate against the schema files and round-trip; invalid ones
 * are rejected with the code named by their folder, and the records alone reject them as well.
 */
class GoldenSamplesTest {
  private static final JsonCodec CODEC = JsonCodec.shared();

  static Stream<Arguments> validJobs() {
    return Golden.files("valid/jobs").stream().map(f -> Arguments.of(Golden.label(f), f));
  }

  static Stream<Arguments> validStatuses() {
    return Golden.files("valid/status").stream().map(f -> Arguments.of(Golden.label(f), f));
  }

  static Stream<Arguments> invalidJobs() {
    return Golden.files("invalid/jobs").stream().map(f -> Arguments.of(Golden.label(f), f));
  }

  static Stream<Arguments> invalidStatuses() {
    return Golden.files("invalid/status").stream().map(f -> Arguments.of(Golden.label(f), f));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validJobs")
  void validJobValidatesAndRoundTrips(String label, Path file) {
    byte[] sample = Golden.read(file);
    assertThat(CODEC.validator().validateJob(CODEC.parse(sample))).isEmpty();

    RenderJob job = CODEC.decodeJob(sample);
    byte[] encoded = CODEC.encode(job);
    assertThat(CODEC.validator().validateJob(CODEC.parse(encoded))).isEmpty();
    assertThat(CODEC.decodeJob(encoded)).isEqualTo(job);
    assertThat(CODEC.encode(CODEC.decodeJob(encoded))).isEqualTo(encoded);
    assertSameFieldsPresent(sample, encoded);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validStatuses")
  void validStatusValidatesAndRoundTrips(String label, Path file) {
    byte[] sample = Golden.read(file);
    assertThat(CODEC.validator().validateStatus(CODEC.parse(sample))).isEmpty();

    StatusEvent event = CODEC.decodeStatus(sample);
    byte[] encoded = CODEC.encode(event);
    assertThat(CODEC.validator().validateStatus(CODEC.parse(encoded))).isEmpty();
    assertThat(CODEC.decodeStatus(encoded)).isEqualTo(event);
    assertThat(CODEC.encode(CODEC.decodeStatus(encoded))).isEqualTo(encoded);
    assertSameFieldsPresent(sample, encoded);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidJobs")
  void invalidJobIsRejectedWithItsCode(String label, Path file) {
    assertRejected(file, CODEC::decodeJob, RenderJob.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidStatuses")
  void invalidStatusIsRejectedWithItsCode(String label, Path file) {
    assertRejected(file, CODEC::decodeStatus, StatusEvent.class);
  }

  private static void assertRejected(Path file, Function<byte[], ?> decode, Class<?> type) {
    byte[] sample = Golden.read(file);
    String code = Golden.expectedCode(file);
    assertThat(ErrorCodes.ALL).contains(code);
    assertThatThrownBy(() -> decode.apply(sample))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              if (code.equals(ErrorCodes.SCHEMA_INVALID)) {
                assertThat(e.violations()).isNotEmpty();
                assertThat(e.getMessage()).contains(e.violations().get(0));
              }
              JsonNode id = code.equals(ErrorCodes.INVALID_JSON) ? null : parseJobId(sample);
              if (id != null && id.isTextual() && id.textValue().startsWith("bad-")) {
                assertThat(e.jobId()).contains(id.textValue());
              }
            });
    if (code.equals(ErrorCodes.SCHEMA_INVALID)) {
      // The records enforce the same rules: mapping without the schema fails too.
      JsonNode tree = CODEC.parse(sample);
      assertThatThrownBy(() -> JsonCodec.mapUnvalidated(tree, type))
          .isInstanceOfAny(JsonProcessingException.class, IllegalArgumentException.class);
    }
  }

  private static JsonNode parseJobId(byte[] sample) {
    return CODEC.parse(sample).path("jobId");
  }

  /** Re-encoding keeps every field the sample gave (values are compared through the records). */
  private static void assertSameFieldsPresent(byte[] sample, byte[] encoded) {
    JsonNode before = CODEC.parse(sample);
    JsonNode after = CODEC.parse(encoded);
    before
        .fieldNames()
        .forEachRemaining(
            name -> {
              JsonNode value = before.get(name);
              boolean emptyContainer = value.isContainerNode() && value.isEmpty();
              if (!emptyContainer) {
                assertThat(after.has(name)).as("field %s kept", name).isTrue();
              }
            });
  }
}
