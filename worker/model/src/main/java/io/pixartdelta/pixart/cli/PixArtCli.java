package io.pixartdelta.pixart.cli;

import io.pixartdelta.pixart.tools.TinyModelWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The model-only command line ({@code pixart-model.jar}): render, bench and the tiny-model tool,
 * with no Kafka, AWS or S3Proxy class on the classpath.
 */
@Command(
    name = "pixart",
    mixinStandardHelpOptions = true,
    subcommands = {
      RenderCommand.class,
      PipelineBenchCommand.class,
      PixArtCli.TinyModelCommand.class
    },
    description = "PixArt-δ (PixArt-LCM) on DJL: render images and benchmark the pipeline.")
public final class PixArtCli implements Callable<Integer> {

  /** Writes the tiny random checkpoint in the real layout. */
  @Command(
      name = "tiny-model",
      mixinStandardHelpOptions = true,
      description = "Write a tiny random PixArt-LCM checkpoint in the diffusers layout.")
  static final class TinyModelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Target folder.")
    Path dir;

    @Option(
        names = "--seed",
        defaultValue = "0",
        description = "Weights seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
      TinyModelWriter.write(dir, seed);
      System.out.println("wrote tiny PixArt-LCM model to " + dir.toAbsolutePath());
      return 0;
    }
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new PixArtCli()).execute(args));
  }
}
