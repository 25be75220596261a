package io.pixartdelta.pixart.image;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Encode time at 1024×1024 per format and setting (median of repeated runs after warm-up; thread
 * CPU time is reported next to wall time because shared machines distort the latter). Not a test;
 * run with {@code java -cp worker/target/classes:worker/target/test-classes
 * io.pixartdelta.pixart.image.ImageEncoderBenchmark}.
 */
public final class ImageEncoderBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ImageEncoderBenchmark() {}

  public static void main(String[] args) {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    BufferedImage image = photoLike(size);
    ImageEncoder[] encoders = {
      ImageEncoder.png(0),
      ImageEncoder.png(1),
      ImageEncoder.png(ImageEncoder.DEFAULT_PNG_LEVEL),
      ImageEncoder.png(6),
      ImageEncoder.png(9),
      ImageEncoder.jpeg(75),
      ImageEncoder.jpeg(ImageEncoder.DEFAULT_JPEG_QUALITY),
      ImageEncoder.jpeg(100)
    };
    for (ImageEncoder encoder : encoders) {
      for (int i = 0; i < 5; i++) {
        encoder.encode(image);
      }
      long[] wall = new long[runs];
      long[] cpu = new long[runs];
      int bytes = 0;
      for (int i = 0; i < runs; i++) {
        long startCpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        bytes = encoder.encode(image).bytes().length;
        wall[i] = System.nanoTime() - start;
        cpu[i] = THREADS.getCurrentThreadCpuTime() - startCpu;
      }
      Arrays.sort(wall);
      Arrays.sort(cpu);
      System.out.printf(
          "%-38s %d×%d  thread CPU median %6.1f ms (min %6.1f)  wall median %6.1f ms  %8d bytes%n",
          encoder, size, size, cpu[runs / 2] / 1e6, cpu[0] / 1e6, wall[runs / 2] / 1e6, bytes);
    }
  }

  /** Smooth shapes plus mild noise, closer to a render than a synthetic gradient. */
  private static BufferedImage photoLike(int size) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(1);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double u = (double) x / size;
        double v = (double) y / size;
        int r = clamp(128 + 100 * Math.sin(6 * u + 3 * v) + random.nextGaussian() * 2);
        int g = clamp(128 + 90 * Math.cos(5 * v - 2 * u * u) + random.nextGaussian() * 2);
        int b = clamp(100 + 80 * Math.sin(9 * u * v) + random.nextGaussian() * 2);
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
