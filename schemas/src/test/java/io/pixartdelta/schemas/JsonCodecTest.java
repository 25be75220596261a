package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link JsonCodec}: wire format details, error codes and robustness. */
class JsonCodecTest {
  private static final JsonCodec CODEC = JsonCodec.shared();
  private static final Instant T0 = Instant.parse("2026-01-15T09:30:00Z");

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void encodingOmitsNullsAndWritesIsoInstants() {
    RenderJob job = RenderJob.builder("job-1", "p").submittedAt(T0).build();

    String json = new String(CODEC.encode(job), StandardCharsets.UTF_8);

    assertThat(json)
        .isEqualTo(
            "{\"schemaVersion\":1,\"jobId\":\"job-1\",\"prompt\":\"p\",\"binning\":true,"
                + "\"steps\":4,\"numImages\":1,\"sampler\":\"lcm\",\"output\":{\"format\":\"png\"},"
                + "\"priority\":0,\"submittedAt\":\"2026-01-15T09:30:00Z\"}");
  }

  @Test
  void encodingWritesEnumsInTheirWireSpelling() {
    RenderJob job =
        RenderJob.builder("job-1", "p")
            .sampler(Sampler.DPM_SOLVER)
            .control(ControlSpec.of("s3://inputs/c.png", ControlType.HED))
            .output(OutputSpec.jpeg(null, null, 80))
            .submittedAt(T0)
            .build();

    String json = new String(CODEC.encode(job), StandardCharsets.UTF_8);

    assertThat(json)
        .contains("\"sampler\":\"dpm-solver\"")
        .contains("\"control\":{\"image\":\"s3://inputs/c.png\",\"type\":\"hed\",\"scale\":1.0}")
        .contains("\"output\":{\"format\":\"jpeg\",\"jpegQuality\":80}");
    String status =
        new String(
            CODEC.encode(StatusEvent.accepted(job, 1, "w", T0.plusNanos(1))),
            StandardCharsets.UTF_8);
    assertThat(status)
        .contains("\"state\":\"ACCEPTED\"")
        .contains("\"eventTime\":\"2026-01-15T09:30:00.000000001Z\"")
        .doesNotContain("results")
        .doesNotContain("metadata")
        .doesNotContain("null");
  }

  @Test
  void instantsWithOffsetsAreReadAsTheSameInstant() {
    RenderJob job =
        CODEC.decodeJob(
            utf8(
                "{\"schemaVersion\":1,\"jobId\":\"a\",\"prompt\":\"\","
                    + "\"deadline\":\"2026-01-15T11:30:00.25+02:00\","
                    + "\"submittedAt\":\"2026-01-15t09:30:00z\"}"));

    assertThat(job.deadline()).isEqualTo(Instant.parse("2026-01-15T09:30:00.250Z"));
    assertThat(job.submittedAt()).isEqualTo(T0);
  }

  @Test
  void integralNumbersWrittenAsFloatsAreAccepted() {
    RenderJob job =
        CODEC.decodeJob(
            utf8(
                "{\"schemaVersion\":1.0,\"jobId\":\"a\",\"prompt\":\"\",\"steps\":2.0,"
                    + "\"submittedAt\":\"2026-01-15T09:30:00Z\"}"));

    assertThat(job.steps()).isEqualTo(2);
  }

  @Test
  void unsupportedSchemaVersionGivesOneClearViolation() {
    byte[] v2 =
        utf8(
            "{\"schemaVersion\":2,\"jobId\":\"job-v2\",\"prompt\":\"x\",\"loras\":[\"a\"],"
                + "\"submittedAt\":\"2026-01-15T09:30:00Z\"}");

    assertThatThrownBy(() -> CODEC.decodeJob(v2))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCodes.SCHEMA_INVALID);
              assertThat(e.violations())
                  .containsExactly(
                      "/schemaVersion: unsupported version 2; this reader supports [1]");
              assertThat(e.jobId()).contains("job-v2");
            });
    byte[] statusV9 =
        utf8("{\"schemaVersion\":99999999999,\"jobId\":\"j\",\"state\":\"ACCEPTED\"}");
    assertThatThrownBy(() -> CODEC.decodeStatus(statusV9))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.violations()).singleElement().asString().contains("99999999999"));
  }

  @Test
  void schemaViolationsAreAllReportedWithTheirLocation() {
    byte[] json =
        utf8(
            "{\"schemaVersion\":1,\"jobId\":\"j\",\"prompt\":\"x\",\"steps\":9,\"numImages\":0,"
                + "\"metadata\":{\"k\":1}}");

    assertThatThrownBy(() -> CODEC.decodeJob(json))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e ->
                assertThat(e.violations())
                    .containsExactlyInAnyOrder(
                        "(root): required property 'submittedAt' not found",
                        "/steps: must have a maximum value of 8",
                        "/numImages: must have a minimum value of 1",
                        "/metadata/k: integer found, string expected"));
  }

  @Test
  void exceptionCarriesTheJobIdOnlyWhenWellFormed() {
    byte[] good = utf8("{\"schemaVersion\":1,\"jobId\":\"job-9\",\"prompt\":3}");
    byte[] bad = utf8("{\"schemaVersion\":1,\"jobId\":\"job 9\",\"prompt\":\"\"}");

    assertThatThrownBy(() -> CODEC.decodeJob(good))
        .isInstanceOfSatisfying(
            InvalidMessageException.class, e -> assertThat(e.jobId()).contains("job-9"));
    assertThatThrownBy(() -> CODEC.decodeJob(bad))
        .isInstanceOfSatisfying(
            InvalidMessageException.class, e -> assertThat(e.jobId()).isEmpty());
  }

  @Test
  void exceptionConvertsToAReportableFailure() {
    InvalidMessageException e =
        (InvalidMessageException) catchThrowable(() -> CODEC.decodeJob(utf8("x".repeat(10_000))));

    ErrorInfo error = e.toErrorInfo();

    assertThat(error.code()).isEqualTo(ErrorCodes.INVALID_JSON);
    assertThat(error.retryable()).isFalse();
    Emitted.assertValid(StatusEvent.rejected("jobs-0-17", 1, "w", T0, error));
  }

  @Test
  void decodingAStatusAsAJobIsASchemaViolation() {
    byte[] status = Golden.bytes("valid/status/accepted.json");

    assertThatThrownBy(() -> CODEC.decodeJob(status))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCodes.SCHEMA_INVALID));
  }

  private static byte[] jobWith(String field, String number) {
    return utf8(
        "{\"schemaVersion\":1,\"jobId\":\"n\",\"prompt\":\"\",\"sampler\":\"dpm-solver\",\""
            + field
            + "\":"
            + number
            + ",\"submittedAt\":\"2026-01-15T09:30:00Z\"}");
  }

  @ParameterizedTest
  @MethodSource("outOfRangeIntegers")
  void outOfRangeIntegersAreSchemaInvalidInEveryNotation(String field, String number) {
    // Issue 11, defect 6: "seed": 1e30 passed the schema and failed later as invalid-job.
    assertThatThrownBy(() -> CODEC.decodeJob(jobWith(field, number)))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> {
              assertThat(e.code()).as(number).isEqualTo(ErrorCodes.SCHEMA_INVALID);
              assertThat(e.violations()).anyMatch(v -> v.startsWith("/" + field + ":"));
            });
  }

  static Stream<Arguments> outOfRangeIntegers() {
    return Stream.of(
        Arguments.of("seed", "1e30"),
        Arguments.of("seed", "-1e30"),
        Arguments.of("seed", "1.0e19"),
        Arguments.of("seed", "9.3E18"),
        Arguments.of("seed", "1e400"),
        Arguments.of("seed", "9223372036854775808.0"),
        // 2^64 + 4: its low 64 bits read as a long would be 4, inside the steps limit.
        Arguments.of("steps", "1.8446744073709551620e19"),
        Arguments.of("numImages", "4.0e1"),
        Arguments.of("priority", "-1e999"));
  }

  @Test
  void cancelRequestsRoundTripAndAreValidatedAgainstTheirSchema() {
    CancelRequest request =
        CancelRequest.of("job-7", "not needed", Instant.parse("2026-01-15T09:30:00Z"));
    byte[] encoded = CODEC.encode(request);
    assertThat(CODEC.validator().validateCancel(CODEC.parse(encoded))).isEmpty();
    assertThat(CODEC.decodeCancel(encoded)).isEqualTo(request);
    assertThat(
            CODEC
                .decodeCancel(
                    utf8(
                        "{\"schemaVersion\":1,\"jobId\":\"j\",\"requestedAt\":\"2026-01-15T09:30:00Z\"}"))
                .reason())
        .isNull();
    for (String bad :
        List.of(
            "{\"schemaVersion\":1,\"jobId\":\"../x\",\"requestedAt\":\"2026-01-15T09:30:00Z\"}",
            "{\"schemaVersion\":2,\"jobId\":\"j\",\"requestedAt\":\"2026-01-15T09:30:00Z\"}",
            "{\"schemaVersion\":1,\"jobId\":\"j\"}",
            "{\"schemaVersion\":1,\"jobId\":\"j\",\"requestedAt\":\"2026-01-15T09:30:00Z\",\"prompt\":\"x\"}",
            "{\"schemaVersion\":1,\"jobId\":\"j\",\"requestedAt\":\"2026-01-15T09:30:00Z\",\"reason\":\""
                + "r".repeat(513)
                + "\"}")) {
      assertThatThrownBy(() -> CODEC.decodeCancel(utf8(bad)))
          .as(bad)
          .isInstanceOfSatisfying(
              InvalidMessageException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCodes.SCHEMA_INVALID));
    }
    // A job is not a cancel request, and a cancel request is not a job.
    assertThatThrownBy(() -> CODEC.decodeJob(encoded)).isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void aNumberWhoseExponentNoBigDecimalHoldsIsInvalidJson() {
    // Found by JobIntakeFuzzTest: Jackson threw a bare NumberFormatException past the codec.
    for (String number : List.of("1e2147483648", "-1e36666666666666666666666666666666666666")) {
      assertThatThrownBy(() -> CODEC.decodeJob(jobWith("seed", number)))
          .isInstanceOfSatisfying(
              InvalidMessageException.class,
              e -> assertThat(e.code()).as(number).isEqualTo(ErrorCodes.INVALID_JSON));
    }
  }

  @Test
  void integersWrittenWithAFractionOrExponentStillDecodeWhenInRange() {
    assertThat(CODEC.decodeJob(jobWith("seed", "9223372036854775807.0")).seed())
        .isEqualTo(Long.MAX_VALUE);
    assertThat(CODEC.decodeJob(jobWith("seed", "1e2")).seed()).isEqualTo(100L);
    assertThat(CODEC.decodeJob(jobWith("steps", "2.50e1")).steps()).isEqualTo(25);
  }

  static Stream<byte[]> hostileInputs() {
    return Stream.of(
        null,
        new byte[0],
        utf8("   \n"),
        utf8("null"),
        utf8("[]"),
        utf8("1e400"),
        utf8("{\"schemaVersion\":1e400}"),
        utf8(
            "{\"schemaVersion\":1,\"jobId\":\"a\",\"prompt\":\"\",\"seed\":1e400,"
                + "\"submittedAt\":\"2026-01-15T09:30:00Z\"}"),
        utf8("[".repeat(100_000)),
        utf8("{\"a\":".repeat(50_000)),
        utf8("{\"schemaVersion\":1,\"jobId\":\"" + "a".repeat(5_000_000) + "\"}"),
        utf8("{\"metadata\":{\"\":\"\"}}"),
        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'},
        new byte[] {0, 0, 0, '{'});
  }

  @ParameterizedTest
  @MethodSource("hostileInputs")
  void hostileInputsOnlyEverRaiseInvalidMessage(byte[] input) {
    assertThatThrownBy(() -> CODEC.decodeJob(input)).isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(() -> CODEC.decodeStatus(input)).isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void oneCodecServesManyThreads() throws Exception {
    List<byte[]> samples = new ArrayList<>();
    Golden.files("valid/jobs").forEach(f -> samples.add(Golden.read(f)));
    List<RenderJob> expected = samples.stream().map(CODEC::decodeJob).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(
            pool.submit(
                () -> {
                  for (int round = 0; round < 5; round++) {
                    for (int i = 0; i < samples.size(); i++) {
                      RenderJob job = CODEC.decodeJob(samples.get(i));
                      if (!job.equals(expected.get(i))
                          || !CODEC.decodeJob(CODEC.encode(job)).equals(job)) {
                        return false;
                      }
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void sharedCodecIsASingleton() {
    assertThat(JsonCodec.shared()).isSameAs(CODEC);
  }

  private static Throwable catchThrowable(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected an exception");
  }
}
