package io.pixartdelta.pixart.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.text.T5Config;
import io.pixartdelta.pixart.text.T5Encoder;
import io.pixartdelta.pixart.text.T5WeightStorage;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import io.pixartdelta.pixart.vae.VaeConfig;
import io.pixartdelta.pixart.weights.WeightSpec;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The 8 GB mode's weight bytes from the real models' shapes (T5-XXL as {@link T5Config#t5V11Xxl},
 * the real transformer config shipped in the tools resources, the {@code sd-vae-ft-ema} VAE): T5 as
 * int8 with per-row fp16 scales ({@code wo}'s in fp32), transformer and VAE in fp16.
 *
 * <p>Activation budget, batch 1 at 1024 px in fp16. The largest tensors of the whole pipeline are
 * in the VAE decoder: the last upsampler's output and its conv output are full-resolution tensors
 * with {@code blockOutChannels[1]} (256) channels, 1024² × 256 × 2 B = 512 MiB each; with the next
 * ResNet block's group-norm output, up to three of them are alive at once. The transformer's
 * activations are tens of MiB (4096 tokens × 1152, fused attention) and T5's a few MiB (120
 * tokens). The CUDA context, cuBLAS workspaces and allocator fragmentation take another 0.5 GiB.
 */
class EightGbBudgetTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;
  private static final int IMAGE = 1024;
  private static final long CUDA_CONTEXT = 512 * MIB;

  private static long parameters(WeightSpec spec) {
    return spec.expected().values().stream().mapToLong(Shape::size).sum();
  }

  private static PixArtConfig realTransformer() {
    try {
      return PixArtConfig.fromJson(
          Path.of(
              EightGbBudgetTest.class
                  .getResource("/io/pixartdelta/pixart/tools/real-configs/transformer/config.json")
                  .toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void weightsOfTheEightGbModeLeaveTheActivationBudgetUnderEightGib() {
    T5Config t5 = T5Config.t5V11Xxl();
    long t5Int8 = T5Encoder.weightBytes(t5, DataType.FLOAT16, T5WeightStorage.INT8);
    long t5Fp16 = T5Encoder.weightBytes(t5, DataType.FLOAT16, T5WeightStorage.FULL);
    long t5Fp32 = T5Encoder.weightBytes(t5, DataType.FLOAT32, T5WeightStorage.FULL);
    long transformer = 2 * parameters(PixArtTransformer.weightSpec(realTransformer()));
    WeightSpec vaeSpec = AutoencoderKl.weightSpec(VaeConfig.sdVae());
    long vae = 2 * parameters(vaeSpec); // the pipeline loads encoder and decoder
    long vaeDecoder =
        2
            * vaeSpec.expected().entrySet().stream()
                .filter(e -> e.getKey().startsWith("decoder.") || e.getKey().startsWith("post_"))
                .mapToLong(e -> e.getValue().size())
                .sum();
    List<Integer> widths = VaeConfig.sdVae().blockOutChannels();
    long largestActivation = (long) IMAGE * IMAGE * widths.get(1) * 2; // (1, 256, 1024, 1024) fp16
    long activations = 3 * largestActivation + CUDA_CONTEXT;
    long weights = t5Int8 + transformer + vae;

    System.out.printf(
        "8 GB mode weights: T5 int8 %.3f GiB (fp16 plan %.3f, fp32 %.3f), transformer fp16 %.3f GiB,"
            + " VAE fp16 %.3f GiB (decoder %.3f); total %.3f GiB; activation budget %.3f GiB;"
            + " headroom %.3f GiB%n",
        (double) t5Int8 / GIB,
        (double) t5Fp16 / GIB,
        (double) t5Fp32 / GIB,
        (double) transformer / GIB,
        (double) vae / GIB,
        (double) vaeDecoder / GIB,
        (double) weights / GIB,
        (double) activations / GIB,
        (double) (8 * GIB - weights - activations) / GIB);

    // Sanity of the counts against the published sizes: T5-XXL encoder 4.76 B parameters,
    // PixArt-XL 0.61 B, sd-vae 84 M.
    assertThat(t5Fp32 / 4).isBetween(4_700_000_000L, 4_800_000_000L);
    assertThat(transformer / 2).isBetween(600_000_000L, 620_000_000L);
    assertThat(vae / 2).isBetween(80_000_000L, 90_000_000L);
    // int8 ≈ a quarter of fp32 (scales add < 0.1 %).
    assertThat((double) t5Int8 / t5Fp32).isBetween(0.25, 0.2505);
    assertThat(weights + activations).isLessThanOrEqualTo(8 * GIB);
    // Without int8 the fp16 precision plan (wo in fp32) alone does not fit.
    assertThat(t5Fp16 + transformer + vae).isGreaterThan(8 * GIB);
  }
}
