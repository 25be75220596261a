package io.pixartdelta.pixart.image;

import io.pixartdelta.pixart.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encode cost per image: the JDK's ImageIO PNG writer against {@link PngWriter} per deflate level,
 * then (argument {@code sweep}) every row filter × deflate strategy at levels 1, 4 and 6 (or the
 * comma-separated levels of a fourth argument), on four kinds of image: smooth shapes with mild
 * noise, a gradient with stronger noise, and the tiny pipeline's 128² renders (fixtures). Median
 * thread CPU time after warm-up (wall time next to it: shared machines distort it). Not a test; run
 * after {@code mvn -B -ntp -q test-compile -pl worker/model -am} with {@code java -cp
 * worker/model/target/classes:worker/model/target/test-classes:<deps>
 * io.pixartdelta.pixart.image.ImageEncoderBenchmark [size] [runs] [sweep [levels]]}.
 */
public final class ImageEncoderBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ImageEncoderBenchmark() {}

  public static void main(String[] args) {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    boolean sweep = args.length > 2 && args[2].equals("sweep");
    boolean compare = !(sweep && args.length > 3); // explicit sweep levels: sweep only
    List<BufferedImage> photo = List.of(photoLike(size));
    List<BufferedImage> noisy = List.of(noisyGradient(size));
    List<BufferedImage> flat = List.of(flatBackground(size));
    List<BufferedImage> pipeline = tinyPipelineImages();
    Map<String, List<BufferedImage>> sets = new LinkedHashMap<>();
    sets.put("photo-like", photo);
    sets.put("noisy gradient", noisy);
    sets.put("flat background", flat);
    sets.put("tiny pipeline", pipeline);

    warmUp();
    for (var set : compare ? sets.entrySet() : Set.<Map.Entry<String, List<BufferedImage>>>of()) {
      System.out.println("-- " + set.getKey());
      for (int level : new int[] {0, 1, 2, 4, 6, 9}) {
        report("ImageIO PNG L" + level, set.getValue(), runs, image -> imageIoPng(image, level));
        PngWriter writer = PngWriter.ofLevel(level);
        String name = "PngWriter L" + level + " " + writer.filter() + " " + writer.strategy();
        report(name, set.getValue(), runs, writer::write);
      }
    }
    for (int quality :
        compare ? new int[] {75, ImageEncoder.DEFAULT_JPEG_QUALITY, 100} : new int[0]) {
      ImageEncoder jpeg = ImageEncoder.jpeg(quality);
      report(jpeg.toString() + " photo-like", photo, runs, image -> jpeg.encode(image).bytes());
    }
    if (!sweep) {
      return;
    }
    int[] sweepLevels =
        args.length > 3
            ? Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {1, 4, 6};
    for (int level : sweepLevels) {
      for (PngWriter.DeflateStrategy strategy : PngWriter.DeflateStrategy.values()) {
        for (PngWriter.RowFilter filter : PngWriter.RowFilter.values()) {
          PngWriter writer = new PngWriter(level, filter, strategy);
          String name = "L" + level + " " + strategy + " " + filter;
          report(name + " photo-like", photo, runs, writer::write);
          report(name + " noisy gradient", noisy, runs, writer::write);
          report(name + " flat background", flat, runs, writer::write);
          report(name + " tiny pipeline", pipeline, runs, writer::write);
        }
      }
    }
  }

  /**
   * Compiles both encoders' hot loops before anything is timed, so the first rows of the table do
   * not pay for the JIT.
   */
  private static void warmUp() {
    BufferedImage image = photoLike(256);
    for (int i = 0; i < 30; i++) {
      for (int level = 0; level <= 2; level++) {
        PngWriter.ofLevel(level).write(image);
        imageIoPng(image, level);
      }
    }
  }

  /** Prints median/min thread CPU and median wall time per image, and bytes per image. */
  private static void report(
      String name, List<BufferedImage> images, int runs, Function<BufferedImage, byte[]> encode) {
    for (int i = 0; i < 3; i++) {
      images.forEach(image -> Objects.requireNonNull(encode.apply(image)));
    }
    long[] wall = new long[runs];
    long[] cpu = new long[runs];
    long bytes = 0;
    for (int i = 0; i < runs; i++) {
      long startCpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      bytes = 0;
      for (BufferedImage image : images) {
        bytes += encode.apply(image).length;
      }
      wall[i] = System.nanoTime() - start;
      cpu[i] = THREADS.getCurrentThreadCpuTime() - startCpu;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    int n = images.size();
    BufferedImage first = images.get(0);
    System.out.printf(
        "%-44s %4d×%-4d CPU median %7.2f ms (min %7.2f)  wall median %7.2f ms  %9d bytes%n",
        name,
        first.getWidth(),
        first.getHeight(),
        cpu[runs / 2] / 1e6 / n,
        cpu[0] / 1e6 / n,
        wall[runs / 2] / 1e6 / n,
        bytes / n);
  }

  /** The JDK writer at an exact deflate level (its quality q maps to level 9 − round(9·q)). */
  static byte[] imageIoPng(BufferedImage image, int level) {
    ImageWriter writer = ImageIO.getImageWritersByMIMEType("image/png").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality((9 - level) / 9f);
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Smooth shapes plus mild noise, closer to a render than a synthetic gradient. */
  static BufferedImage photoLike(int size) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(1);
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

  /** Diagonal gradients with Gaussian noise σ = 8 levels: film grain, hard for LZ matching. */
  static BufferedImage noisyGradient(int size) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(2);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int r = clamp(255.0 * x / size + random.nextGaussian() * 8);
        int g = clamp(255.0 * y / size + random.nextGaussian() * 8);
        int b = clamp(127.5 * (x + y) / size + random.nextGaussian() * 8);
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  /** {@link #photoLike} with 60% of it one flat color: a plain studio background. */
  static BufferedImage flatBackground(int size) {
    BufferedImage image = photoLike(size);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        if (x < size / 2 || y < size / 5) {
          image.setRGB(x, y, 0xF8F8F8);
        }
      }
    }
    return image;
  }

  /** The tiny pipeline's renders (pipeline/steps4/image.npy, (B, H, W, 3) in [0, 1]) as RGB. */
  static List<BufferedImage> tinyPipelineImages() {
    var npy = Fixtures.npy("pipeline/steps4/image.npy");
    float[] hwc = npy.toFloatArray(); // (B, H, W, 3)
    int batch = Math.toIntExact(npy.shape().get(0));
    int height = Math.toIntExact(npy.shape().get(1));
    int width = Math.toIntExact(npy.shape().get(2));
    List<BufferedImage> images = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int i = ((b * height + y) * width + x) * 3;
          int r = ImagePostprocess.quantize(hwc[i]);
          int g = ImagePostprocess.quantize(hwc[i + 1]);
          int bl = ImagePostprocess.quantize(hwc[i + 2]);
          image.setRGB(x, y, (r << 16) | (g << 8) | bl);
        }
      }
      images.add(image);
    }
    return images;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
