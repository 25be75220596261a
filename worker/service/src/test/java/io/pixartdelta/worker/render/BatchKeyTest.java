package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.control.RgbImage;
import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import org.junit.jupiter.api.Test;

/**
 * {@link RenderItem#batchKey()}: items share a batch exactly when one pipeline call can take them.
 */
class BatchKeyTest {
  private static final RgbImage CONTROL = RgbImage.copyOf(2, 2, new byte[12]);

  private static RenderItem item(
      String id, int width, int height, SchedulerKind scheduler, Double guidance, Float scale) {
    return new RenderItem(
        id,
        "prompt of " + id,
        id.hashCode() & 0xffff,
        width,
        height,
        true,
        AspectRatioBins.pixart1024().classify(height, width),
        4,
        1,
        scheduler,
        GuidanceScale.of(guidance, scheduler),
        scale == null ? null : new ControlInput(CONTROL, ControlMapKind.EDGES, scale));
  }

  private static RenderItem dpm(String id, Double guidance, Float scale) {
    return item(id, 1024, 1024, SchedulerKind.DPM_SOLVER, guidance, scale);
  }

  @Test
  void itemsThatDifferOnlyInWhatEachRequestCarriesShareAKey() {
    // Prompt, seed and the exact size (within one bin) are per request in a pipeline call.
    assertThat(item("a", 1000, 1000, SchedulerKind.LCM, null, null).batchKey())
        .isEqualTo(item("b", 1024, 1024, SchedulerKind.LCM, null, null).batchKey());
    assertThat(dpm("a", 7.0, 0.5f).batchKey()).isEqualTo(dpm("b", 7.0, 0.5f).batchKey());
    // The default guidance is the value the pipeline receives, whether asked for or not.
    assertThat(dpm("a", null, null).batchKey()).isEqualTo(dpm("b", 4.5, null).batchKey());
  }

  @Test
  void guidanceAndControlScaleKeepItemsApartWhereTheOldFloatKeyCollided() {
    // guidance*1000f + controlScale (-1 when plain) gave 7000.5 to both of the first pair and 7000
    // to both of the second.
    assertThat(dpm("a", 7.0, 0.5f).batchKey()).isNotEqualTo(dpm("b", 7.0005, 0f).batchKey());
    assertThat(dpm("a", 7.001, null).batchKey()).isNotEqualTo(dpm("b", 7.0, 0f).batchKey());
    assertThat(dpm("a", 7.0, null).batchKey()).isNotEqualTo(dpm("b", 7.0005, null).batchKey());
    assertThat(dpm("a", 7.0, 0.5f).batchKey()).isNotEqualTo(dpm("b", 7.0, 0.25f).batchKey());
  }

  @Test
  void renderSizeStepsAndSchedulerKeepItemsApart() {
    RenderItem square = item("a", 1024, 1024, SchedulerKind.LCM, null, null);
    assertThat(square.batchKey())
        .isNotEqualTo(item("b", 1344, 768, SchedulerKind.LCM, null, null).batchKey())
        .isNotEqualTo(item("c", 1024, 1024, SchedulerKind.DPM_SOLVER, 0.0, null).batchKey());
    assertThat(square.batchKey().width()).isEqualTo(1024);
    assertThat(square.batchKey().control()).isFalse();
    assertThat(dpm("d", 7.0, 0.5f).batchKey().control()).isTrue();
  }
}
