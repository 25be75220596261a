package io.pixartdelta.pixart.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.weights.Npy;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PixArtCliTest {

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new PixArtCli());
    cli.setOut(new PrintWriter(out));
    int code = cli.execute(args);
    assertThat(code).as("exit code; output:\n" + out).isZero();
    return out.toString();
  }

  @Test
  void renderWritesTheImageAndLatentsAndReportsTimings(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("out.png");
    Path latents = dir.resolve("latents.npy");
    String out =
        run(
            "render",
            "--model",
            Fixtures.tinyModel().toString(),
            "--prompt",
            "a red fox in the snow",
            "--width",
            "96",
            "--height",
            "64",
            "--no-binning",
            "--steps",
            "2",
            "--seed",
            "7",
            "--out",
            png.toString(),
            "--save-latents",
            latents.toString());
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(96);
    assertThat(img.getHeight()).isEqualTo(64);
    assertThat(Npy.read(latents).shape().getShape()).containsExactly(1, 4, 8, 12);
    assertThat(out).contains("timings ms: text-encode", "denoise", "decode", "image-encode");

    // Feeding the saved initial draw back reproduces the render exactly (1 step: no step noise).
    Path again = dir.resolve("again.png");
    Path first = dir.resolve("first.png");
    Path init = dir.resolve("init.npy");
    Npy.write(
        init,
        "<f4",
        new ai.djl.ndarray.types.Shape(1, 4, 8, 12),
        java.nio.ByteBuffer.wrap(
            floatsToBytes(new io.pixartdelta.pixart.random.TorchGenerator(7).randn(1, 4, 8, 12))));
    String[] common = {
      "render",
      "--model",
      Fixtures.tinyModel().toString(),
      "--prompt",
      "x",
      "--width",
      "96",
      "--height",
      "64",
      "--no-binning",
      "--steps",
      "1",
      "--seed",
      "7"
    };
    run(concat(common, "--out", first.toString()));
    run(concat(common, "--latents", init.toString(), "--out", again.toString()));
    assertThat(pixels(ImageIO.read(again.toFile())))
        .isEqualTo(pixels(ImageIO.read(first.toFile())));
  }

  @Test
  void renderWithAControlMapUsesItsBinAndReturnsItsSize(@TempDir Path dir) throws Exception {
    Path edges = dir.resolve("edges.png");
    java.nio.file.Files.write(edges, io.pixartdelta.pixart.TestImages.edgeMapPng(96, 72));
    Path png = dir.resolve("controlled.png");
    String out =
        run(
            "render",
            "--model",
            Fixtures.tinyModel().toString(),
            "--controlnet",
            Fixtures.path("controlnet/adapter").toString(),
            "--control",
            edges.toString(),
            "--control-type",
            "canny",
            "--prompt",
            "a house",
            "--steps",
            "1",
            "--kernels",
            "fused",
            "--out",
            png.toString());
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(96);
    assertThat(img.getHeight()).isEqualTo(72);
    // 72/96 = 0.75 lies exactly between the 0.72 and 0.78 keys; ties go to the first: 832×1152.
    assertThat(out).contains("model ran at 1152x832");
  }

  @Test
  void renderWithAControlMapHonoursAnExplicitSizeAndNoBinning(@TempDir Path dir) throws Exception {
    // Issue 11, defect 8: --width/--height/--no-binning were dropped when --control was given.
    Path edges = dir.resolve("edges.png");
    java.nio.file.Files.write(edges, io.pixartdelta.pixart.TestImages.edgeMapPng(96, 72));
    String[] common = {
      "render",
      "--model",
      Fixtures.tinyModel().toString(),
      "--controlnet",
      Fixtures.path("controlnet/adapter").toString(),
      "--control",
      edges.toString(),
      "--control-type",
      "edges",
      "--prompt",
      "a house",
      "--steps",
      "1"
    };

    Path exact = dir.resolve("exact.png");
    String out =
        run(
            concat(
                common,
                "--width",
                "192",
                "--height",
                "128",
                "--no-binning",
                "--out",
                exact.toString()));
    BufferedImage img = ImageIO.read(exact.toFile());
    assertThat(img.getWidth()).isEqualTo(192);
    assertThat(img.getHeight()).isEqualTo(128);
    assertThat(out).contains("model ran at 192x128");

    Path binned = dir.resolve("binned.png");
    out = run(concat(common, "--width", "256", "--height", "128", "--out", binned.toString()));
    img = ImageIO.read(binned.toFile());
    assertThat(img.getWidth()).isEqualTo(256);
    assertThat(img.getHeight()).isEqualTo(128);
    var bin = io.pixartdelta.pixart.image.AspectRatioBins.pixart1024().classify(128, 256);
    assertThat(out).contains("model ran at " + bin.width() + "x" + bin.height());

    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new PixArtCli());
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(concat(common, "--no-binning", "--out", exact.toString()));
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("--no-binning with --control needs --width and --height");
  }

  @Test
  void benchPrintsATableRowPerBatchSize() {
    String out =
        run(
            "bench",
            "--random-weights",
            "tiny",
            "--size",
            "64",
            "--steps",
            "2",
            "--batch",
            "1,2",
            "--warmup",
            "0",
            "--iterations",
            "1");
    assertThat(out).contains("| batch | first call ms | T5 ms | step ms");
    List<String> rows =
        out.lines().filter(l -> l.startsWith("| 1 |") || l.startsWith("| 2 |")).toList();
    assertThat(rows).hasSize(2);
    // Every row has all 12 columns filled, the min / median pair among them.
    for (String row : rows) {
      assertThat(row.split("\\|", -1)).hasSize(14);
      assertThat(row).matches(".*\\| [0-9.]+ / [0-9.]+ \\|.*");
    }
  }

  @Test
  void benchSoakRunsMixedShapesAndReportsMemory() {
    String out =
        run(
            "bench",
            "--random-weights",
            "tiny",
            "--steps",
            "1",
            "--batch",
            "1,2",
            "--soak",
            "4",
            "--soak-sizes",
            "64,96",
            "--stage-memory");
    assertThat(out).contains("| batches | last size | last batch | memory now |");
    // Batch i runs size soakSizes[i % 2] at batch size batches[(i / 2) % 2]: batch 4 is 64 px, 1.
    assertThat(out.lines().filter(l -> l.startsWith("| 4 | 64 | 1 |"))).hasSize(1);
    assertThat(out.lines().filter(l -> l.startsWith("| 4 |"))).hasSize(1);
  }

  @Test
  void t5Int8FlagRunsTheEightGbModeInRenderAndBench(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("int8.png");
    run(
        "render",
        "--model",
        Fixtures.tinyModel().toString(),
        "--prompt",
        "a red fox in the snow",
        "--width",
        "64",
        "--height",
        "64",
        "--no-binning",
        "--steps",
        "1",
        "--t5-int8",
        "--out",
        png.toString());
    assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(64);
    String[] bench = {
      "bench",
      "--random-weights",
      "tiny",
      "--size",
      "64",
      "--steps",
      "1",
      "--warmup",
      "0",
      "--iterations",
      "1"
    };
    String full = run(bench);
    String int8 = run(concat(bench, "--t5-int8"));
    assertThat(full).contains("# weights on device: text_encoder", "(FULL)", "transformer", "vae");
    assertThat(int8).contains("# weights on device: text_encoder", "(INT8)");
    assertThat(int8.lines().filter(l -> l.startsWith("| 1 |"))).hasSize(1);
  }

  @Test
  void weightLineListsEveryComponentAndTheTotal() {
    java.util.Map<String, Long> bytes = new java.util.LinkedHashMap<>();
    bytes.put("text_encoder", 3L << 29);
    bytes.put("transformer", 1L << 30);
    assertThat(
            PipelineBenchCommand.weightLine(bytes, io.pixartdelta.pixart.text.T5WeightStorage.INT8))
        .isEqualTo(
            "# weights on device: text_encoder 1.500 GiB (INT8), transformer 1.000 GiB,"
                + " total 2.500 GiB");
  }

  @Test
  void deviceNamesParse() {
    assertThat(Devices.parse("cpu")).isEqualTo(Device.cpu());
    assertThat(Devices.parse("gpu:1")).isEqualTo(Device.gpu(1));
    assertThat(Devices.parse("cuda:0")).isEqualTo(Device.gpu(0));
    assertThat(Devices.parse("gpu")).isEqualTo(Device.gpu(0));
    assertThatThrownBy(() -> Devices.parse("tpu")).hasMessageContaining("unknown device");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] floatsToBytes(float[] v) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
