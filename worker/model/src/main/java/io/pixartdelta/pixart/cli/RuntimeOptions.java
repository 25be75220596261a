package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.text.T5WeightStorage;
import picocli.CommandLine.Option;

/** Where and how the pipeline runs: {@code --device}, {@code --kernels}, {@code --t5-int8}. */
final class RuntimeOptions {
  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "cpu or gpu:N (default ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--kernels",
      defaultValue = "fused",
      description = "Kernel backend: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  KernelChoice kernels;

  @Option(
      names = "--t5-int8",
      description =
          "8 GB mode: keep T5's linears and embedding as int8 with per-row scales, quantized"
              + " while loading the checkpoint (about a quarter of the fp32 bytes).")
  boolean t5Int8;

  /** The parsed {@code --device}. */
  Device device() {
    return Devices.parse(device);
  }

  /** Pipeline options for {@code dev} with these kernels and T5 weights. */
  PipelineOptions pipelineOptions(Device dev) {
    return PipelineOptions.forDevice(dev, kernels.create(dev))
        .withT5Weights(t5Int8 ? T5WeightStorage.INT8 : T5WeightStorage.FULL);
  }
}
