package io.pixartdelta.pixart.cli;

import io.pixartdelta.pixart.pipeline.ModelDirectory;
import io.pixartdelta.pixart.pipeline.OpenedComponents;
import io.pixartdelta.pixart.pipeline.PipelineOptions;
import io.pixartdelta.pixart.pipeline.PixArtPipeline;
import io.pixartdelta.pixart.schedulers.LcmConfig;
import io.pixartdelta.pixart.text.T5Config;
import io.pixartdelta.pixart.text.T5Encoder;
import io.pixartdelta.pixart.text.T5Tokenizer;
import io.pixartdelta.pixart.tools.RandomWeights;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import io.pixartdelta.pixart.vae.VaeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * A pipeline with random weights made on the device, for capacity tests without a checkpoint:
 * {@code real} has PixArt-LCM-XL's sizes (T5-XXL, the 28-block transformer, the SD VAE), {@code
 * tiny} the bundled test model's. Same code path as a loaded checkpoint from the components on; the
 * images are noise.
 */
public enum RandomModel {
  REAL,
  TINY;

  /** {@code real} or {@code tiny}, any case. */
  public static RandomModel parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("random weights are 'real' or 'tiny', got '" + name + "'");
    }
  }

  /** The wire name ({@code real}, {@code tiny}). */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Builds the pipeline on the options' device with the VAE's default attention chunk. */
  public PixArtPipeline open(PipelineOptions options) {
    return open(options, AutoencoderKl.queryChunkFor(options.device()));
  }

  /** Builds the pipeline with {@code vaeQueryChunk} VAE attention query rows per SDPA call. */
  public PixArtPipeline open(PipelineOptions options, int vaeQueryChunk) {
    ModelDirectory dir = ModelDirectory.open(ModelSource.resolve(null));
    T5Config t5;
    PixArtConfig dit;
    VaeConfig vae;
    LcmConfig lcm;
    if (this == REAL) {
      t5 = T5Config.t5V11Xxl();
      dit = PixArtConfig.fromJson(realTransformerConfig());
      vae = VaeConfig.sdVae();
      lcm = LcmConfig.pixartLcm();
    } else {
      t5 = T5Config.fromJson(dir.textEncoder().resolve("config.json"));
      dit = PixArtConfig.fromJson(dir.transformer().resolve("config.json"));
      vae = VaeConfig.fromJson(dir.vae().resolve("config.json"));
      lcm = LcmConfig.fromJson(dir.schedulerConfig());
    }
    OpenedComponents opened = new OpenedComponents();
    try {
      // The tokenizer only feeds ids to T5; the bundled small vocabulary gives valid ids for both.
      T5Tokenizer tokenizer = opened.add(T5Tokenizer.load(dir.tokenizer()));
      T5Encoder text =
          opened.add(
              T5Encoder.fromSource(
                  t5,
                  new RandomWeights(T5Encoder.weightSpec(t5), "random T5"),
                  options.device(),
                  options.dtype(),
                  options.kernels(),
                  options.t5Weights()));
      PixArtTransformer transformer =
          opened.add(
              PixArtTransformer.fromSource(
                  dit,
                  new RandomWeights(PixArtTransformer.weightSpec(dit), "random transformer"),
                  options.device(),
                  options.dtype(),
                  options.kernels()));
      AutoencoderKl autoencoder =
          opened.add(
              AutoencoderKl.fromSource(
                  vae,
                  new RandomWeights(AutoencoderKl.weightSpec(vae), "random VAE"),
                  options.device(),
                  options.dtype(),
                  options.kernels(),
                  vaeQueryChunk,
                  AutoencoderKl.wholeBlocks(options.kernels())));
      return PixArtPipeline.assemble(
          "random-" + wire(), options, tokenizer, text, transformer, autoencoder, lcm);
    } catch (RuntimeException e) {
      throw opened.closeAfter(e);
    }
  }

  private static Path realTransformerConfig() {
    try {
      Path dir = Files.createTempDirectory("pixart-real-config");
      Path file = dir.resolve("config.json");
      try (InputStream in =
          RandomWeights.class.getResourceAsStream("real-configs/transformer/config.json")) {
        if (in == null) {
          throw new IllegalStateException("missing bundled real transformer config");
        }
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage the real transformer config", e);
    }
  }
}
