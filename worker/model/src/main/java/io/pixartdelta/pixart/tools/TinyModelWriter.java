package io.pixartdelta.pixart.tools;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pixartdelta.pixart.random.TorchGenerator;
import io.pixartdelta.pixart.text.T5Config;
import io.pixartdelta.pixart.text.T5Encoder;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import io.pixartdelta.pixart.vae.VaeConfig;
import io.pixartdelta.pixart.weights.SafetensorsWriter;
import io.pixartdelta.pixart.weights.WeightSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a tiny random PixArt-LCM checkpoint in exactly the layout of {@code
 * PixArt-alpha/PixArt-LCM-XL-2-1024-MS}: {@code model_index.json}, per-component {@code
 * config.json} (tiny sizes), sharded T5 safetensors with {@code model.safetensors.index.json},
 * single-file transformer and VAE safetensors, the scheduler config and a SentencePiece tokenizer.
 * Weights are seeded, so the same seed writes the same bytes. Used by tests and by the embedded
 * quick start when no real model is given; it exercises the same loading code as the real
 * checkpoint.
 */
public final class TinyModelWriter {
  private static final String TEMPLATE = "tiny-model/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] TEMPLATE_FILES = {
    "model_index.json",
    "scheduler/scheduler_config.json",
    "text_encoder/config.json",
    "tokenizer/spiece.model",
    "tokenizer/tokenizer_config.json",
    "transformer/config.json",
    "vae/config.json",
  };

  private TinyModelWriter() {}

  /** Writes the tiny model into {@code dir} (created if needed) and returns {@code dir}. */
  public static Path write(Path dir, long seed) throws IOException {
    for (String f : TEMPLATE_FILES) {
      Path target = dir.resolve(f);
      Files.createDirectories(target.getParent());
      try (InputStream in = TinyModelWriter.class.getResourceAsStream(TEMPLATE + f)) {
        if (in == null) {
          throw new IllegalStateException("missing bundled template " + TEMPLATE + f);
        }
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    TorchGenerator rng = new TorchGenerator(seed);
    T5Config t5 = T5Config.fromJson(dir.resolve("text_encoder/config.json"));
    writeSharded(dir.resolve("text_encoder"), T5Encoder.weightSpec(t5), rng, 2);
    PixArtConfig dit = PixArtConfig.fromJson(dir.resolve("transformer/config.json"));
    writeSingle(
        dir.resolve("transformer/diffusion_pytorch_model.safetensors"),
        PixArtTransformer.weightSpec(dit),
        rng);
    VaeConfig vae = VaeConfig.fromJson(dir.resolve("vae/config.json"));
    writeSingle(
        dir.resolve("vae/diffusion_pytorch_model.safetensors"), AutoencoderKl.weightSpec(vae), rng);
    return dir;
  }

  private static void writeSingle(Path file, WeightSpec spec, TorchGenerator rng)
      throws IOException {
    SafetensorsWriter w = new SafetensorsWriter();
    for (Map.Entry<String, Shape> e : spec.expected().entrySet()) {
      w.addF32(e.getKey(), e.getValue(), initialValues(e.getKey(), e.getValue(), rng));
    }
    w.write(file);
  }

  /** Splits the tensors over {@code shards} files with an index, as transformers does. */
  private static void writeSharded(Path dir, WeightSpec spec, TorchGenerator rng, int shards)
      throws IOException {
    List<Map.Entry<String, Shape>> all = new ArrayList<>(spec.expected().entrySet());
    ObjectNode index = JSON.createObjectNode();
    ObjectNode weightMap = JSON.createObjectNode();
    long total = 0;
    int perShard = (all.size() + shards - 1) / shards;
    for (int s = 0; s < shards; s++) {
      String name = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
      SafetensorsWriter w = new SafetensorsWriter();
      for (Map.Entry<String, Shape> e :
          all.subList(s * perShard, Math.min(all.size(), (s + 1) * perShard))) {
        w.addF32(e.getKey(), e.getValue(), initialValues(e.getKey(), e.getValue(), rng));
        weightMap.put(e.getKey(), name);
        total += e.getValue().size() * 4;
      }
      w.write(dir.resolve(name));
    }
    index.putObject("metadata").put("total_size", total);
    index.set("weight_map", weightMap);
    Files.writeString(
        dir.resolve("model.safetensors.index.json"),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(index));
  }

  private static float[] initialValues(String name, Shape shape, TorchGenerator rng) {
    float[] v = rng.randn(shape.getShape());
    RandomInit init = RandomInit.of(name, shape);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] * init.scale() + init.shift());
    }
    return v;
  }

  /** Command-line entry: {@code TinyModelWriter DIR [SEED]}. */
  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: TinyModelWriter DIR [SEED]");
      System.exit(2);
    }
    try {
      Path dir = write(Path.of(args[0]), args.length > 1 ? Long.parseLong(args[1]) : 0L);
      System.out.println("wrote tiny PixArt-LCM model to " + dir.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
