package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.schemas.ControlSpec;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.ErrorCodes;
import io.pixartdelta.schemas.InvalidMessageException;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.Sampler;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The one boundary between the wire enums and the model's types. */
class ModelTypesTest {
  private static final JsonCodec CODEC = JsonCodec.shared();

  @Test
  void everySamplerMapsToTheSchedulerOfTheSameNameAndNoTwoShareOne() {
    assertOneToOneByName(
        Sampler.values(),
        ModelTypes::scheduler,
        Sampler::wireName,
        SchedulerKind::wire,
        SchedulerKind.values());
  }

  @Test
  void everyControlTypeMapsToTheControlMapOfTheSameNameAndNoTwoShareOne() {
    assertOneToOneByName(
        ControlType.values(),
        ModelTypes::controlMap,
        ControlType::wireName,
        ControlMapKind::wire,
        ControlMapKind.values());
  }

  private static <W, M> void assertOneToOneByName(
      W[] wire,
      Function<W, M> map,
      Function<W, String> wireName,
      Function<M, String> name,
      M[] all) {
    for (W value : wire) {
      assertThat(name.apply(map.apply(value))).isEqualTo(wireName.apply(value));
    }
    assertThat(Arrays.stream(wire).map(map).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(all);
  }

  @Test
  void unknownWireValuesAreRefusedByTheCodecWithTheStableCode() {
    RenderJob job =
        RenderJob.builder("j-1", "a fox")
            .control(ControlSpec.of("s3://controls/edge.png", ControlType.EDGES))
            .build();
    String json = new String(CODEC.encode(job), StandardCharsets.UTF_8);
    assertThat(json).contains("\"sampler\":\"lcm\"").contains("\"type\":\"edges\"");

    assertThat(codeOf(json.replace("\"sampler\":\"lcm\"", "\"sampler\":\"euler\"")))
        .isEqualTo(ErrorCodes.SCHEMA_INVALID);
    assertThat(codeOf(json.replace("\"type\":\"edges\"", "\"type\":\"depth\"")))
        .isEqualTo(ErrorCodes.SCHEMA_INVALID);
  }

  private static String codeOf(String json) {
    return catchThrowableOfType(
            InvalidMessageException.class,
            () -> CODEC.decodeJob(json.getBytes(StandardCharsets.UTF_8)))
        .code();
  }
}
