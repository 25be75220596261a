package io.pixartdelta.pixart.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The CUDA caching allocator's byte counters (allocated and reserved, current and peak), read
 * through a small JNI library built against the libtorch DJL runs on ({@code
 * worker/model/src/main/cpp/cuda_allocator_stats.cc}). DJL exposes only the device-wide used memory
 * (context, cache and other processes included), which cannot show what the model itself needs.
 *
 * <p>Optional: available when {@code -Dpixart.cuda-stats-lib=/path/libpixart_cuda_stats.so} names
 * the built library; otherwise {@link #load} is empty and callers fall back to device-wide figures.
 */
final class CudaAllocatorStats {
  static final String PROPERTY = "pixart.cuda-stats-lib";

  /** Bytes: allocated by tensors (current, peak) and reserved by the allocator (current, peak). */
  record Reading(long allocated, long peakAllocated, long reserved, long peakReserved) {}

  private final int device;

  private CudaAllocatorStats(int device) {
    this.device = device;
  }

  /** The stats of GPU {@code device}, if the property names a library that loads. */
  static Optional<CudaAllocatorStats> load(int device) {
    String lib = System.getProperty(PROPERTY);
    if (lib == null || lib.isBlank() || !Files.isRegularFile(Path.of(lib))) {
      return Optional.empty();
    }
    System.load(Path.of(lib).toAbsolutePath().toString());
    return Optional.of(new CudaAllocatorStats(device));
  }

  Reading reading() {
    long[] v = read(device);
    return new Reading(v[0], v[1], v[2], v[3]);
  }

  /** Starts a new peak window (torch.cuda.reset_peak_memory_stats). */
  void resetPeak() {
    resetPeak(device);
  }

  private static native long[] read(int device);

  private static native void resetPeak(int device);
}
