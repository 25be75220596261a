package io.pixartdelta.worker.render;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.cli.Devices;
import io.pixartdelta.pixart.cli.KernelChoice;
import io.pixartdelta.pixart.cli.ModelSource;
import io.pixartdelta.pixart.cli.RandomModel;
import io.pixartdelta.pixart.pipeline.ControlNetFiles;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.schedulers.TimestepRule;
import io.pixartdelta.pixart.text.T5WeightStorage;

/**
 * Creates the {@link PixArtRenderer} ({@code renderer=pixart}, the default): loads the checkpoint
 * folder, or the bundled tiny test model when none is configured.
 */
public final class PixArtRendererFactory implements RendererFactory {
  @Override
  public String name() {
    return "pixart";
  }

  @Override
  public Renderer create(Settings settings) {
    Device device = Devices.parse(settings.device());
    DataType dtype = "fp16".equals(settings.dtype()) ? DataType.FLOAT16 : DataType.FLOAT32;
    PipelineOptions options =
        new PipelineOptions(
            device,
            dtype,
            KernelChoice.fused.create(device),
            TimestepRule.DIFFUSERS,
            4,
            256,
            settings.t5Int8() ? T5WeightStorage.INT8 : T5WeightStorage.FULL);
    if (settings.randomWeights() != null) {
      if (settings.controlnet() != null) {
        throw new IllegalArgumentException("random weights come without a ControlNet");
      }
      return new PixArtRenderer(RandomModel.parse(settings.randomWeights()).open(options));
    }
    ControlNetFiles controlNet =
        settings.controlnet() == null
            ? null
            : new ControlNetFiles(settings.controlnet(), settings.hed());
    return new PixArtRenderer(ModelSource.load(settings.modelDir(), options, controlNet));
  }
}
