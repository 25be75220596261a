package io.pixartdelta.pixart.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.nn.NdArrayKernels;
import io.pixartdelta.pixart.schedulers.TimestepRule;
import io.pixartdelta.pixart.text.T5WeightStorage;

/**
 * How the pipeline runs.
 *
 * @param device CPU or a CUDA device
 * @param dtype compute type of the transformer and VAE: FLOAT32 on CPU, FLOAT16 on GPU
 * @param kernels attention / norm backend; the pipeline closes it if it is {@link AutoCloseable}
 * @param timestepRule LCM timestep spacing (diffusers ≥ 0.24 by default)
 * @param vaeMaxBatch images decoded at once (bounds VAE memory at 1024 px)
 * @param promptCacheSize T5 embeddings kept on the host, keyed by cleaned prompt (0 disables)
 * @param t5Weights how the T5 encoder stores its weights: {@code INT8} is the 8 GB mode
 */
public record PipelineOptions(
    Device device,
    DataType dtype,
    Kernels kernels,
    TimestepRule timestepRule,
    int vaeMaxBatch,
    int promptCacheSize,
    T5WeightStorage t5Weights) {
  public PipelineOptions {
    if (device == null || dtype == null || kernels == null || timestepRule == null) {
      throw new IllegalArgumentException("device, dtype, kernels and timestepRule are required");
    }
    if (t5Weights == null) {
      throw new IllegalArgumentException("t5Weights is required (FULL or INT8)");
    }
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
      throw new IllegalArgumentException("dtype must be FLOAT32 or FLOAT16, got " + dtype);
    }
    if (vaeMaxBatch < 1) {
      throw new IllegalArgumentException("vaeMaxBatch must be ≥ 1, got " + vaeMaxBatch);
    }
    if (promptCacheSize < 0) {
      throw new IllegalArgumentException("promptCacheSize must be ≥ 0, got " + promptCacheSize);
    }
  }

  /** Full-precision T5 weights. */
  public PipelineOptions(
      Device device,
      DataType dtype,
      Kernels kernels,
      TimestepRule timestepRule,
      int vaeMaxBatch,
      int promptCacheSize) {
    this(device, dtype, kernels, timestepRule, vaeMaxBatch, promptCacheSize, T5WeightStorage.FULL);
  }

  /** fp32 on the CPU with the reference kernels: what the parity tests run. */
  public static PipelineOptions cpuReference() {
    return new PipelineOptions(
        Device.cpu(), DataType.FLOAT32, NdArrayKernels.INSTANCE, TimestepRule.DIFFUSERS, 4, 64);
  }

  /** The usual choice for a device: fp16 on a GPU, fp32 on the CPU. */
  public static PipelineOptions forDevice(Device device, Kernels kernels) {
    DataType dtype = device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
    return new PipelineOptions(device, dtype, kernels, TimestepRule.DIFFUSERS, 4, 64);
  }

  public PipelineOptions withKernels(Kernels k) {
    return new PipelineOptions(
        device, dtype, k, timestepRule, vaeMaxBatch, promptCacheSize, t5Weights);
  }

  public PipelineOptions withTimestepRule(TimestepRule rule) {
    return new PipelineOptions(
        device, dtype, kernels, rule, vaeMaxBatch, promptCacheSize, t5Weights);
  }

  public PipelineOptions withVaeMaxBatch(int n) {
    return new PipelineOptions(device, dtype, kernels, timestepRule, n, promptCacheSize, t5Weights);
  }

  public PipelineOptions withPromptCacheSize(int n) {
    return new PipelineOptions(device, dtype, kernels, timestepRule, vaeMaxBatch, n, t5Weights);
  }

  /** The same options with T5 weights stored as {@code storage} ({@code INT8}: the 8 GB mode). */
  public PipelineOptions withT5Weights(T5WeightStorage storage) {
    return new PipelineOptions(
        device, dtype, kernels, timestepRule, vaeMaxBatch, promptCacheSize, storage);
  }
}
