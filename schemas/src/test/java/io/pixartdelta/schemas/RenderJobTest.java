package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link RenderJob} and its parts: defaults, factories, copies and field-naming validation. */
class RenderJobTest {
  private static final Instant T0 = Instant.parse("2026-01-15T09:30:00Z");
  private static final RenderJob BASE =
      RenderJob.builder("job-1", "a lighthouse").submittedAt(T0).build();

  @Test
  void factoryAppliesEveryDefault() {
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    RenderJob job = Emitted.assertValid(RenderJob.of("job-1", "a lighthouse"));

    assertThat(job.schemaVersion()).isEqualTo(1);
    assertThat(job.width()).isNull();
    assertThat(job.height()).isNull();
    assertThat(job.binning()).isTrue();
    assertThat(job.steps()).isEqualTo(4);
    assertThat(job.seed()).isNull();
    assertThat(job.numImages()).isEqualTo(1);
    assertThat(job.sampler()).isEqualTo(Sampler.LCM);
    assertThat(job.guidanceScale()).isNull();
    assertThat(job.control()).isNull();
    assertThat(job.hasControl()).isFalse();
    assertThat(job.output()).isEqualTo(OutputSpec.DEFAULT);
    assertThat(job.priority()).isZero();
    assertThat(job.deadline()).isNull();
    assertThat(job.metadata()).isEmpty();
    assertThat(job.submittedAt()).isBetween(before, Instant.now());
  }

  @Test
  void decodingMinimalJsonGivesTheSameDefaultsAsTheFactory() {
    RenderJob decoded = JsonCodec.shared().decodeJob(Golden.bytes("valid/jobs/minimal.json"));

    RenderJob expected =
        RenderJob.builder("job-minimal-001", "a lighthouse at dusk, oil painting")
            .submittedAt(Instant.parse("2026-01-15T09:30:00Z"))
            .build();
    assertThat(decoded).isEqualTo(expected);
  }

  @Test
  void decodingFullJsonReadsEveryField() {
    RenderJob job = JsonCodec.shared().decodeJob(Golden.bytes("valid/jobs/full.json"));

    assertThat(job.jobId()).isEqualTo("batch7.job_0042");
    assertThat(job.prompt()).isEqualTo("a red fox in fresh snow, telephoto, golden hour");
    assertThat(job.width()).isEqualTo(1344);
    assertThat(job.height()).isEqualTo(768);
    assertThat(job.binning()).isTrue();
    assertThat(job.steps()).isEqualTo(4);
    assertThat(job.seed()).isEqualTo(1234567890123L);
    assertThat(job.numImages()).isEqualTo(2);
    assertThat(job.sampler()).isEqualTo(Sampler.LCM);
    assertThat(job.guidanceScale()).isEqualTo(0.0);
    assertThat(job.output())
        .isEqualTo(OutputSpec.jpeg("pixart-renders", "campaigns/2026-01/fox", 85));
    assertThat(job.priority()).isEqualTo(10);
    assertThat(job.deadline()).isEqualTo(Instant.parse("2026-01-15T10:30:00Z"));
    assertThat(job.metadata())
        .containsExactly(Map.entry("campaign", "winter"), Map.entry("requestedBy", "pipeline-7"));
    assertThat(job.submittedAt()).isEqualTo(Instant.parse("2026-01-15T09:30:00.123Z"));
  }

  @Test
  void decodingControlJsonReadsTheControlSpec() {
    RenderJob job = JsonCodec.shared().decodeJob(Golden.bytes("valid/jobs/control-s3-hed.json"));

    assertThat(job.hasControl()).isTrue();
    assertThat(job.control())
        .isEqualTo(new ControlSpec("s3://pixart-inputs/controls/teapot.png", ControlType.HED, 0.8));
    assertThat(job.control().isS3Reference()).isTrue();
    assertThat(job.sampler()).isEqualTo(Sampler.DPM_SOLVER);
    assertThat(job.output()).isEqualTo(OutputSpec.png("pixart-renders", null));
  }

  @Test
  void absentControlScaleAndJpegQualityTakeTheirDefaults() {
    RenderJob inline =
        JsonCodec.shared().decodeJob(Golden.bytes("valid/jobs/control-inline-edges.json"));
    RenderJob jpeg =
        JsonCodec.shared()
            .decodeJob(Golden.bytes("valid/jobs/no-binning-jpeg-default-quality.json"));

    assertThat(inline.control().scale()).isEqualTo(ControlSpec.DEFAULT_SCALE);
    assertThat(inline.control().isS3Reference()).isFalse();
    assertThat(jpeg.output().jpegQuality()).isEqualTo(OutputSpec.DEFAULT_JPEG_QUALITY);
    assertThat(jpeg.binning()).isFalse();
  }

  @Test
  void builderSetsEveryFieldAndTheResultValidates() {
    RenderJob job =
        Emitted.assertValid(
            RenderJob.builder("b.1", "")
                .size(512, 768)
                .binning(false)
                .steps(8)
                .seed(Long.MAX_VALUE)
                .numImages(4)
                .sampler(Sampler.DPM_SOLVER)
                .guidanceScale(4.5)
                .control(new ControlSpec("s3://inputs/x.png", ControlType.CANNY, 2.0))
                .output(OutputSpec.jpeg("out-bucket", "a/b", 1))
                .priority(-100)
                .deadline(T0.plusSeconds(60))
                .metadata(Map.of("k", "v"))
                .submittedAt(T0)
                .build());

    assertThat(job.toBuilder().build()).isEqualTo(job);
    assertThat(job.withSeed(null).seed()).isNull();
  }

  static Stream<Arguments> copies() {
    return Stream.of(
        copy("withJobId", j -> j.withJobId("job-2"), j -> j.jobId().equals("job-2")),
        copy("withPrompt", j -> j.withPrompt("p2"), j -> j.prompt().equals("p2")),
        copy("withSize", j -> j.withSize(2048, 256), j -> j.width() == 2048 && j.height() == 256),
        copy(
            "withSize null",
            j -> j.withSize(512, 512).withSize(null, null),
            j -> j.width() == null),
        copy("withBinning", j -> j.withBinning(false), j -> !j.binning()),
        copy("withSteps", j -> j.withSteps(2), j -> j.steps() == 2),
        copy("withSeed", j -> j.withSeed(7L), j -> j.seed() == 7L),
        copy("withNumImages", j -> j.withNumImages(3), j -> j.numImages() == 3),
        copy(
            "withSampler",
            j -> j.withSampler(Sampler.DPM_SOLVER),
            j -> j.sampler() == Sampler.DPM_SOLVER),
        copy("withGuidanceScale", j -> j.withGuidanceScale(1.5), j -> j.guidanceScale() == 1.5),
        copy(
            "withControl",
            j -> j.withControl(ControlSpec.inlinePng(new byte[] {1, 2, 3}, ControlType.EDGES, 0.5)),
            j -> j.control().image().equals("data:image/png;base64,AQID")),
        copy(
            "withOutput null", j -> j.withOutput(null), j -> j.output().equals(OutputSpec.DEFAULT)),
        copy(
            "withOutput",
            j -> j.withOutput(new OutputSpec(null, "x", ImageFormat.JPEG, null)),
            j -> j.output().jpegQuality() == 90),
        copy("withPriority", j -> j.withPriority(100), j -> j.priority() == 100),
        copy("withDeadline", j -> j.withDeadline(T0), j -> T0.equals(j.deadline())),
        copy(
            "withMetadata",
            j -> j.withMetadata(Map.of("a", "b")),
            j -> j.metadata().equals(Map.of("a", "b"))),
        copy(
            "withSubmittedAt",
            j -> j.withSubmittedAt(T0.plusSeconds(1)),
            j -> j.submittedAt().equals(T0.plusSeconds(1))));
  }

  private static Arguments copy(
      String name, UnaryOperator<RenderJob> change, java.util.function.Predicate<RenderJob> check) {
    return Arguments.of(name, change, check);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("copies")
  void copyMethodsChangeOneFieldAndStayValid(
      String name, UnaryOperator<RenderJob> change, java.util.function.Predicate<RenderJob> check) {
    RenderJob copy = Emitted.assertValid(change.apply(BASE));

    assertThat(check.test(copy)).isTrue();
    assertThat(BASE.prompt()).isEqualTo("a lighthouse"); // the original is untouched
    assertThat(BASE.seed()).isNull();
  }

  static Stream<Arguments> invalidJobs() {
    return Stream.of(
        bad("steps", () -> BASE.withSteps(9)),
        bad("steps", () -> BASE.withSteps(0)),
        bad("width", () -> BASE.withSize(255, 512)),
        bad("width", () -> BASE.withSize(1001, 512)),
        bad("height", () -> BASE.withSize(512, 2056)),
        bad("width and height", () -> BASE.withSize(512, null)),
        bad("width", () -> BASE.withSize(520, 512).withBinning(false)),
        bad("seed", () -> BASE.withSeed(-1L)),
        bad("numImages", () -> BASE.withNumImages(5)),
        bad("guidanceScale", () -> BASE.withGuidanceScale(Double.NaN)),
        bad("guidanceScale", () -> BASE.withGuidanceScale(21.0)),
        bad("priority", () -> BASE.withPriority(101)),
        bad("jobId", () -> BASE.withJobId("has space")),
        bad("jobId", () -> BASE.withJobId(null)),
        bad("prompt", () -> BASE.withPrompt("x".repeat(2001))),
        bad("prompt", () -> BASE.withPrompt(null)),
        bad(
            "submittedAt",
            () ->
                new RenderJob(
                    1, "a", "", null, null, true, 4, null, 1, null, null, null, null, 0, null, null,
                    null)),
        bad(
            "schemaVersion",
            () ->
                new RenderJob(
                    2, "a", "", null, null, true, 4, null, 1, null, null, null, null, 0, null, null,
                    T0)),
        bad("metadata", () -> BASE.withMetadata(manyEntries(33))),
        bad("metadata key", () -> BASE.withMetadata(Map.of("k".repeat(65), "v"))),
        bad("metadata['k']", () -> BASE.withMetadata(Map.of("k", "v".repeat(513)))),
        bad("metadata['k']", () -> BASE.withMetadata(nullValue())),
        bad("control.image", () -> ControlSpec.of("http://x/y.png", ControlType.EDGES)),
        bad("control.type", () -> ControlSpec.of("s3://abc/k", null)),
        bad("control.scale", () -> new ControlSpec("s3://abc/k", ControlType.HED, 2.5)),
        bad("output.bucket", () -> OutputSpec.png("UPPER", null)),
        bad("output.prefix", () -> OutputSpec.png(null, "../x")),
        bad("output.prefix", () -> OutputSpec.png(null, "/x")),
        bad("output.jpegQuality", () -> OutputSpec.jpeg(null, null, 0)));
  }

  private static Arguments bad(String field, Runnable build) {
    return Arguments.of(field, build);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidJobs")
  void invalidValuesAreRejectedNamingTheField(String field, Runnable build) {
    assertThatThrownBy(build::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(field);
  }

  @Test
  void metadataIsCopiedAndUnmodifiable() {
    Map<String, String> source = new LinkedHashMap<>();
    source.put("z", "1");
    source.put("a", "2");
    RenderJob job = BASE.withMetadata(source);
    source.put("late", "3");

    assertThat(job.metadata()).containsExactly(Map.entry("z", "1"), Map.entry("a", "2"));
    assertThatThrownBy(() -> job.metadata().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void promptLengthCountsCodePointsLikeTheSchema() {
    String emoji = "\uD83D\uDE00";
    assertThat(BASE.withPrompt(emoji.repeat(2000)).prompt()).hasSize(4000);
    assertThatThrownBy(() -> BASE.withPrompt(emoji.repeat(2001)))
        .hasMessage("prompt must be at most 2000 characters, got 2001");
  }

  @Test
  void jobIdCheckMatchesTheRecordRule() {
    assertThat(RenderJob.isValidJobId("jobs-3-1187")).isTrue();
    assertThat(RenderJob.isValidJobId("a".repeat(128))).isTrue();
    assertThat(RenderJob.isValidJobId("a".repeat(129))).isFalse();
    assertThat(RenderJob.isValidJobId("job\n")).isFalse();
    assertThat(RenderJob.isValidJobId("")).isFalse();
    assertThat(RenderJob.isValidJobId(null)).isFalse();
  }

  @Test
  void controlSpecToStringShortensInlineImages() {
    ControlSpec inline = ControlSpec.inlinePng(new byte[300_000], ControlType.EDGES, 1.0);

    assertThat(inline.toString())
        .hasSizeLessThan(200)
        .contains("(400022 chars)")
        .contains("type=EDGES");
    assertThat(ControlSpec.of("s3://abc/k.png", ControlType.HED).toString())
        .isEqualTo("ControlSpec[image=s3://abc/k.png, type=HED, scale=1.0]");
  }

  @Test
  void wireNamesOfEnumsAreLowerCase() {
    assertThat(Sampler.DPM_SOLVER.wireName()).isEqualTo("dpm-solver");
    assertThat(Sampler.fromWire("lcm")).isEqualTo(Sampler.LCM);
    assertThat(ControlType.fromWire("hed")).isEqualTo(ControlType.HED);
    assertThat(ImageFormat.fromWire("jpeg")).isEqualTo(ImageFormat.JPEG);
    assertThat(ImageFormat.JPEG.contentType()).isEqualTo("image/jpeg");
    assertThat(ImageFormat.fromContentType("image/png")).isEqualTo(ImageFormat.PNG);
    assertThatThrownBy(() -> Sampler.fromWire("LCM")).hasMessageStartingWith("sampler");
    assertThatThrownBy(() -> ControlType.fromWire("depth")).hasMessageStartingWith("control.type");
    assertThatThrownBy(() -> ImageFormat.fromWire("gif")).hasMessageStartingWith("output.format");
  }

  private static Map<String, String> manyEntries(int n) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      map.put("k" + i, "v");
    }
    return map;
  }

  private static Map<String, String> nullValue() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("k", null);
    return map;
  }
}
