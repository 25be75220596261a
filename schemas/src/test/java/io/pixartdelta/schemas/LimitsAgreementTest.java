package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Boundary values on both sides of every limit: the schema file and the records (mapped without the
 * schema) must give the same verdict, and it must be the expected one.
 */
class LimitsAgreementTest {
  private static final JsonCodec CODEC = JsonCodec.shared();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMOJI = "\uD83D\uDE00"; // one code point, two UTF-16 units

  private static Arguments job(String label, boolean valid, Consumer<ObjectNode> change) {
    return Arguments.of(label, valid, change);
  }

  static Stream<Arguments> jobCases() {
    return Stream.of(
        job("minimal", true, j -> {}),
        job("steps 1", true, j -> j.put("steps", 1)),
        job("steps 8", true, j -> j.put("steps", 8)),
        job("steps 0", false, j -> j.put("steps", 0)),
        job("steps 9", false, j -> j.put("steps", 9)),
        job("lcm steps 9", false, j -> j.put("sampler", "lcm").put("steps", 9)),
        job("dpm-solver steps 25", true, j -> j.put("sampler", "dpm-solver").put("steps", 25)),
        job("dpm-solver steps 50", true, j -> j.put("sampler", "dpm-solver").put("steps", 50)),
        job("dpm-solver steps 51", false, j -> j.put("sampler", "dpm-solver").put("steps", 51)),
        job("size 256x2048", true, j -> j.put("width", 256).put("height", 2048)),
        job("width 248", false, j -> j.put("width", 248).put("height", 1024)),
        job("height 2056", false, j -> j.put("width", 1024).put("height", 2056)),
        job("width 1000 (x8)", true, j -> j.put("width", 1000).put("height", 1024)),
        job("width 1004", false, j -> j.put("width", 1004).put("height", 1024)),
        job(
            "width 1000 unbinned",
            false,
            j -> j.put("width", 1000).put("height", 1024).put("binning", false)),
        job(
            "width 1008 unbinned",
            true,
            j -> j.put("width", 1008).put("height", 1024).put("binning", false)),
        job(
            "height 1000 unbinned",
            false,
            j -> j.put("width", 1024).put("height", 1000).put("binning", false)),
        job("binning true explicit", true, j -> j.put("binning", true)),
        job("height alone", false, j -> j.put("height", 512)),
        job("seed 0", true, j -> j.put("seed", 0)),
        job("seed max", true, j -> j.put("seed", Long.MAX_VALUE)),
        job("seed -1", false, j -> j.put("seed", -1)),
        job("numImages 4", true, j -> j.put("numImages", 4)),
        job("numImages 0", false, j -> j.put("numImages", 0)),
        job("numImages 5", false, j -> j.put("numImages", 5)),
        job("sampler dpm-solver", true, j -> j.put("sampler", "dpm-solver")),
        job("sampler LCM", false, j -> j.put("sampler", "LCM")),
        job("guidance 0", true, j -> j.put("guidanceScale", 0)),
        job("guidance 20", true, j -> j.put("guidanceScale", 20.0)),
        job("guidance -0.1", false, j -> j.put("guidanceScale", -0.1)),
        job("guidance 20.01", false, j -> j.put("guidanceScale", 20.01)),
        job("priority -100", true, j -> j.put("priority", -100)),
        job("priority 100", true, j -> j.put("priority", 100)),
        job("priority -101", false, j -> j.put("priority", -101)),
        job("priority 101", false, j -> j.put("priority", 101)),
        job("prompt empty", true, j -> j.put("prompt", "")),
        job("prompt 2000 emoji", true, j -> j.put("prompt", EMOJI.repeat(2000))),
        job("prompt 2001 emoji", false, j -> j.put("prompt", EMOJI.repeat(2001))),
        job("jobId 128", true, j -> j.put("jobId", "a".repeat(128))),
        job("jobId 129", false, j -> j.put("jobId", "a".repeat(129))),
        job("jobId ends with -", true, j -> j.put("jobId", "a-._")),
        job("jobId starts with -", false, j -> j.put("jobId", "-a")),
        job("jobId empty", false, j -> j.put("jobId", "")),
        job("jobId trailing newline", false, j -> j.put("jobId", "a\n")),
        job("jobId leading newline", false, j -> j.put("jobId", "\na")),
        job("jobId slash", false, j -> j.put("jobId", "a/b")),
        job("jobId non-ASCII letter", false, j -> j.put("jobId", "caf\u00e9")),
        job("deadline with offset", true, j -> j.put("deadline", "2026-01-15T10:30:00-05:00")),
        job("deadline fraction", true, j -> j.put("deadline", "2026-01-15T10:30:00.5Z")),
        job("deadline date only", false, j -> j.put("deadline", "2026-01-15")),
        job("deadline lower case", true, j -> j.put("deadline", "2026-01-15t10:30:00z")),
        job("deadline space separator", true, j -> j.put("deadline", "2026-01-15 10:30:00Z")),
        job("deadline leap second", false, j -> j.put("deadline", "2026-12-31T23:59:60Z")),
        job("deadline 30 February", false, j -> j.put("deadline", "2026-02-30T10:30:00Z")),
        job(
            "deadline offset without colon",
            false,
            j -> j.put("deadline", "2026-01-15T10:30:00+0100")),
        job("submittedAt epoch number", false, j -> j.put("submittedAt", 1768469400)),
        job("metadata 32", true, j -> j.set("metadata", metadata(32, "k", "v"))),
        job("metadata 33", false, j -> j.set("metadata", metadata(33, "k", "v"))),
        job("metadata key 64", true, j -> j.set("metadata", metadata(1, "k".repeat(64), "v"))),
        job("metadata key 65", false, j -> j.set("metadata", metadata(1, "k".repeat(65), "v"))),
        job(
            "metadata value 512 emoji",
            true,
            j -> j.set("metadata", metadata(1, "k", EMOJI.repeat(512)))),
        job("metadata value 513", false, j -> j.set("metadata", metadata(1, "k", "v".repeat(513)))),
        job("metadata null value", false, j -> j.putObject("metadata").putNull("k")),
        job("control s3", true, j -> control(j, "s3://abc/k", "edges").put("scale", 0)),
        job("control scale 2", true, j -> control(j, "s3://abc/k", "hed").put("scale", 2)),
        job("control scale -0.01", false, j -> control(j, "s3://abc/k", "hed").put("scale", -0.01)),
        job("control scale 2.01", false, j -> control(j, "s3://abc/k", "hed").put("scale", 2.01)),
        job("control s3 key with space", false, j -> control(j, "s3://abc/a b", "edges")),
        job("control s3 no key", false, j -> control(j, "s3://abc/", "edges")),
        job("control s3 bucket too short", false, j -> control(j, "s3://ab/k", "edges")),
        job("control s3 trailing newline", false, j -> control(j, "s3://abc/k\n", "edges")),
        job(
            "control data URI",
            true,
            j -> control(j, "data:image/png;base64,iVBORw0KGgo=", "canny")),
        job(
            "control data URI bad padding",
            false,
            j -> control(j, "data:image/png;base64,iVBO===", "canny")),
        job("control data URI empty", false, j -> control(j, "data:image/png;base64,", "canny")),
        job("control type EDGES", false, j -> control(j, "s3://abc/k", "EDGES")),
        job(
            "control data URI at max length",
            true,
            j -> control(j, dataUri(ControlSpec.MAX_IMAGE_LENGTH), "edges")),
        job(
            "control data URI over max length",
            false,
            j -> control(j, dataUri(ControlSpec.MAX_IMAGE_LENGTH + 4), "edges")),
        job("output empty object", true, j -> j.putObject("output")),
        job("bucket 3 chars", true, j -> j.putObject("output").put("bucket", "a.b")),
        job("bucket 63 chars", true, j -> j.putObject("output").put("bucket", "b".repeat(63))),
        job("bucket 64 chars", false, j -> j.putObject("output").put("bucket", "b".repeat(64))),
        job("bucket 2 chars", false, j -> j.putObject("output").put("bucket", "ab")),
        job("bucket underscore", false, j -> j.putObject("output").put("bucket", "a_b")),
        job("bucket trailing dash", false, j -> j.putObject("output").put("bucket", "abc-")),
        job("prefix nested", true, j -> j.putObject("output").put("prefix", "a/b.c/d_e-f")),
        job("prefix 256", true, j -> j.putObject("output").put("prefix", "p".repeat(256))),
        job("prefix 257", false, j -> j.putObject("output").put("prefix", "p".repeat(257))),
        job("prefix empty", false, j -> j.putObject("output").put("prefix", "")),
        job("prefix ..", false, j -> j.putObject("output").put("prefix", "..")),
        job("prefix a..b", false, j -> j.putObject("output").put("prefix", "a..b")),
        job("prefix .hidden", false, j -> j.putObject("output").put("prefix", "a/.hidden")),
        job("prefix double slash", false, j -> j.putObject("output").put("prefix", "a//b")),
        job("prefix backslash", false, j -> j.putObject("output").put("prefix", "a\\b")),
        job("prefix space", false, j -> j.putObject("output").put("prefix", "a b")),
        job("prefix trailing newline", false, j -> j.putObject("output").put("prefix", "a\n")),
        job(
            "jpegQuality 1",
            true,
            j -> j.putObject("output").put("format", "jpeg").put("jpegQuality", 1)),
        job("jpegQuality 100", true, j -> j.putObject("output").put("jpegQuality", 100)),
        job("jpegQuality 101", false, j -> j.putObject("output").put("jpegQuality", 101)),
        job("format JPEG", false, j -> j.putObject("output").put("format", "JPEG")));
  }

  static Stream<Arguments> statusCases() {
    return Stream.of(
        job("succeeded sample", true, e -> {}),
        job("attempt max int", true, e -> e.put("attempt", Integer.MAX_VALUE)),
        job("attempt 0", false, e -> e.put("attempt", 0)),
        job("batchSize 1024", true, e -> e.put("batchSize", 1024)),
        job("batchSize 1025", false, e -> e.put("batchSize", 1025)),
        job("batchId 128", true, e -> e.put("batchId", "b".repeat(128))),
        job("batchId 129", false, e -> e.put("batchId", "b".repeat(129))),
        job("workerId tab", false, e -> e.put("workerId", "w\t1")),
        job("workerId empty", false, e -> e.put("workerId", "")),
        job("no timings", true, e -> e.remove("timings")),
        job("timings empty", true, e -> e.putObject("timings")),
        job("timings zero", true, e -> e.putObject("timings").put("uploadMs", 0)),
        job("timings -1", false, e -> e.putObject("timings").put("uploadMs", -1)),
        job("result width 16384", true, e -> result(e).put("width", 16384)),
        job("result width 16385", false, e -> result(e).put("width", 16385)),
        job("result height 0", false, e -> result(e).put("height", 0)),
        job("result index 3", true, e -> result(e).put("index", 3)),
        job("result index -1", false, e -> result(e).put("index", -1)),
        job("result seed -1", false, e -> result(e).put("seed", -1)),
        job("result sha256 63", false, e -> result(e).put("sha256", "a".repeat(63))),
        job("result sha256 upper", false, e -> result(e).put("sha256", "A".repeat(64))),
        job("result uri space", false, e -> result(e).put("uri", "s3://bucket/a b.png")),
        job("result content type png", true, e -> result(e).put("contentType", "image/png")),
        job("result missing bytes", false, e -> result(e).remove("bytes")),
        job("result missing index", false, e -> result(e).remove("index")),
        job("result unknown field", false, e -> result(e).put("etag", "x")),
        job("state ACCEPTED with results", false, e -> e.put("state", "ACCEPTED")),
        job(
            "state STARTED",
            true,
            e -> e.put("state", "STARTED").without(java.util.List.of("results", "finishedAt"))),
        job(
            "state FAILED with error",
            true,
            e -> {
              e.put("state", "FAILED").remove("results");
              e.putObject("error")
                  .put("code", "upload-failed")
                  .put("message", EMOJI.repeat(4096))
                  .put("retryable", true);
            }),
        job(
            "error message 4097",
            false,
            e -> {
              e.put("state", "FAILED").remove("results");
              e.putObject("error")
                  .put("code", "upload-failed")
                  .put("message", "m".repeat(4097))
                  .put("retryable", true);
            }),
        job(
            "EXPIRED without finishedAt",
            false,
            e -> {
              e.put("state", "EXPIRED").without(java.util.List.of("results", "finishedAt"));
              e.putObject("error")
                  .put("code", "deadline-exceeded")
                  .put("message", "late")
                  .put("retryable", false);
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobCases")
  void schemaAndRecordsAgreeOnJobLimits(String label, boolean valid, Consumer<ObjectNode> change)
      throws Exception {
    ObjectNode job = (ObjectNode) JSON.readTree(Golden.bytes("valid/jobs/minimal.json"));
    change.accept(job);
    assertThat(CODEC.validator().validateJob(job).isEmpty()).as("schema accepts").isEqualTo(valid);
    assertThat(recordsAccept(job, RenderJob.class)).as("records accept").isEqualTo(valid);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statusCases")
  void schemaAndRecordsAgreeOnStatusLimits(String label, boolean valid, Consumer<ObjectNode> change)
      throws Exception {
    ObjectNode event = (ObjectNode) JSON.readTree(Golden.bytes("valid/status/succeeded-jpeg.json"));
    change.accept(event);
    assertThat(CODEC.validator().validateStatus(event).isEmpty())
        .as("schema accepts")
        .isEqualTo(valid);
    assertThat(recordsAccept(event, StatusEvent.class)).as("records accept").isEqualTo(valid);
  }

  private static boolean recordsAccept(JsonNode tree, Class<?> type) {
    try {
      JsonCodec.mapUnvalidated(tree, type);
      return true;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return false;
    }
  }

  private static ObjectNode metadata(int entries, String key, String value) {
    ObjectNode map = JSON.createObjectNode();
    for (int i = 0; i < entries; i++) {
      map.put(entries == 1 ? key : key + i, value);
    }
    return map;
  }

  private static ObjectNode control(ObjectNode job, String image, String type) {
    return job.putObject("control").put("image", image).put("type", type);
  }

  private static String dataUri(int length) {
    String head = "data:image/png;base64,";
    return head + "A".repeat(length - head.length());
  }

  private static ObjectNode result(ObjectNode event) {
    return (ObjectNode) event.get("results").get(0);
  }
}
