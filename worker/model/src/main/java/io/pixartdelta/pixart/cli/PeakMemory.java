package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak memory while a benchmark runs: on a GPU, the device's used memory sampled every few
 * milliseconds (CUDA keeps no per-process peak we can read through DJL, so short spikes between
 * samples can be missed); on the CPU, the process's peak resident set (VmHWM).
 */
final class PeakMemory implements AutoCloseable {
  private final Device device;
  private final AtomicLong peak = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  PeakMemory(Device device) {
    this.device = device;
    if (device.isGpu()) {
      sampler =
          new Thread(
              () -> {
                while (running) {
                  peak.accumulateAndGet(CudaUtils.getGpuMemory(device).getUsed(), Math::max);
                  try {
                    Thread.sleep(2);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                }
              },
              "gpu-memory-sampler");
      sampler.setDaemon(true);
      sampler.start();
    } else {
      sampler = null;
    }
  }

  /** Peak bytes so far (GPU used memory, or the process's peak RSS on the CPU). */
  long peakBytes() {
    if (device.isGpu()) {
      return peak.get();
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  String label() {
    return device.isGpu() ? "GPU used (sampled)" : "process peak RSS";
  }

  @Override
  public void close() {
    running = false;
    if (sampler != null) {
      sampler.interrupt();
    }
  }
}
