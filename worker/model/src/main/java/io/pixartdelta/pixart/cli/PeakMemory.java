package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak memory of one benchmark row. On a GPU with {@link CudaAllocatorStats} loaded: the CUDA
 * caching allocator's peak of bytes allocated to tensors (what {@code
 * torch.cuda.max_memory_allocated} reports), reset at the start of every row. On a GPU without it:
 * the device's used memory (context, allocator cache and load temporaries included), sampled every
 * few milliseconds. On the CPU: the process's peak resident set (VmHWM, never reset).
 */
final class PeakMemory implements AutoCloseable {
  private final Device device;
  private final Optional<CudaAllocatorStats> allocator;
  private final AtomicLong sampled = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  PeakMemory(Device device) {
    this.device = device;
    this.allocator =
        device.isGpu() ? CudaAllocatorStats.load(device.getDeviceId()) : Optional.empty();
    if (device.isGpu() && allocator.isEmpty()) {
      sampler =
          new Thread(
              () -> {
                while (running) {
                  sampled.accumulateAndGet(CudaUtils.getGpuMemory(device).getUsed(), Math::max);
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

  /** Starts a new row: the allocator's peak restarts from what is allocated now. */
  void startRow() {
    allocator.ifPresent(CudaAllocatorStats::resetPeak);
    sampled.set(0);
  }

  /** Peak bytes of the current row (see the class comment for what is counted). */
  long peakBytes() {
    if (allocator.isPresent()) {
      return allocator.get().reading().peakAllocated();
    }
    if (device.isGpu()) {
      return sampled.get();
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

  /** A one-line summary of the allocator's counters now, or empty without them. */
  Optional<String> allocatorSummary() {
    return allocator.map(
        a -> {
          CudaAllocatorStats.Reading r = a.reading();
          return String.format(
              Locale.ROOT,
              "allocated %.2f GiB (peak %.2f), reserved %.2f GiB (peak %.2f)",
              gib(r.allocated()),
              gib(r.peakAllocated()),
              gib(r.reserved()),
              gib(r.peakReserved()));
        });
  }

  String label() {
    if (allocator.isPresent()) {
      return "allocator peak";
    }
    return device.isGpu() ? "GPU used (sampled)" : "process peak RSS";
  }

  private static double gib(long bytes) {
    return bytes / (double) (1L << 30);
  }

  @Override
  public void close() {
    running = false;
    if (sampler != null) {
      sampler.interrupt();
    }
  }
}
