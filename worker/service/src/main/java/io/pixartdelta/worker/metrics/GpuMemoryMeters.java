package io.pixartdelta.worker.metrics;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pixartdelta.pixart.cli.Devices;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU memory of the model's device as CUDA reports it (device-wide, all processes), read at each
 * scrape through DJL's {@link CudaUtils#getGpuMemory}. Registered only for a GPU device: a CPU
 * worker has no such series.
 */
public final class GpuMemoryMeters {
  private static final Logger LOG = LoggerFactory.getLogger(GpuMemoryMeters.class);

  /** Bytes in use on the device (gauge). */
  public static final String USED = "pixart.gpu.memory.used";

  /** The device's total memory (gauge, bytes). */
  public static final String TOTAL = "pixart.gpu.memory.total";

  /** The highest {@link #USED} value seen at a scrape since start (gauge, bytes). */
  public static final String USED_PEAK = "pixart.gpu.memory.used.peak";

  private final Function<Device, MemoryUsage> reader;
  private final Device device;
  private final AtomicLong peak = new AtomicLong();

  GpuMemoryMeters(Device device, Function<Device, MemoryUsage> reader) {
    this.device = device;
    this.reader = reader;
  }

  /**
   * Binds the gauges for {@code deviceName} as the worker's options write it ({@code cpu}, {@code
   * gpu}, {@code gpu:N}, {@code cuda:N}) if it is a GPU; true if bound.
   */
  public static boolean bind(MeterRegistry registry, String deviceName) {
    Device device = Devices.parse(deviceName);
    if (!device.isGpu()) {
      return false;
    }
    new GpuMemoryMeters(device, CudaUtils::getGpuMemory).bindTo(registry);
    return true;
  }

  void bindTo(MeterRegistry registry) {
    String tag = Integer.toString(device.getDeviceId());
    Gauge.builder(USED, this, GpuMemoryMeters::used)
        .description("GPU memory in use on the model's device (all processes)")
        .baseUnit("bytes")
        .tag("gpu", tag)
        .register(registry);
    Gauge.builder(TOTAL, this, GpuMemoryMeters::total)
        .description("Total GPU memory of the model's device")
        .baseUnit("bytes")
        .tag("gpu", tag)
        .register(registry);
    Gauge.builder(USED_PEAK, this, m -> m.peak.get())
        .description("Highest GPU memory in use seen at a scrape since the worker started")
        .baseUnit("bytes")
        .tag("gpu", tag)
        .register(registry);
  }

  private double used() {
    MemoryUsage usage = read();
    if (usage == null) {
      return Double.NaN;
    }
    peak.accumulateAndGet(usage.getUsed(), Math::max);
    return usage.getUsed();
  }

  private double total() {
    MemoryUsage usage = read();
    return usage == null ? Double.NaN : usage.getMax();
  }

  /** The device's memory, or null if CUDA cannot tell (the scrape shows NaN, never fails). */
  private MemoryUsage read() {
    try {
      return reader.apply(device);
    } catch (RuntimeException e) {
      LOG.debug("cannot read GPU memory of {}", device, e);
      return null;
    }
  }
}
