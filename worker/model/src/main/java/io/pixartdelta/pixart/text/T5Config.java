package io.pixartdelta.pixart.text;

import static io.pixartdelta.pixart.weights.ConfigJson.bool;
import static io.pixartdelta.pixart.weights.ConfigJson.integer;
import static io.pixartdelta.pixart.weights.ConfigJson.number;
import static io.pixartdelta.pixart.weights.ConfigJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The T5 encoder hyper-parameters, read from a transformers {@code text_encoder/config.json}.
 * Supports T5 v1.1 (the PixArt text encoder): gated feed-forward with tanh-approximated GELU,
 * bidirectional relative position buckets.
 *
 * @param dModel hidden width (4096 for T5-XXL)
 * @param dKv width of one attention head (64)
 * @param numHeads attention heads (64); the attention inner width is {@code numHeads · dKv}
 * @param dFf feed-forward width (10240)
 * @param numLayers encoder blocks (24)
 * @param vocabSize rows of the embedding table (32128; larger than the tokenizer's 32100)
 * @param relativeAttentionNumBuckets relative position buckets (32), half per direction
 * @param relativeAttentionMaxDistance distance at which the log-spaced buckets end (128)
 * @param layerNormEpsilon RMS norm epsilon (1e-6)
 * @param feedForwardProj the config's {@code feed_forward_proj} as written ({@code gated-gelu})
 * @param denseActFn the activation transformers derives from it ({@code gelu_new})
 * @param gatedAct whether the feed-forward is gated (two input projections)
 */
public record T5Config(
    int dModel,
    int dKv,
    int numHeads,
    int dFf,
    int numLayers,
    int vocabSize,
    int relativeAttentionNumBuckets,
    int relativeAttentionMaxDistance,
    double layerNormEpsilon,
    String feedForwardProj,
    String denseActFn,
    boolean gatedAct) {

  /** Activations that are exactly {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}. */
  private static final Set<String> TANH_GELU = Set.of("gelu_new", "gelu_pytorch_tanh");

  public T5Config {
    positive("d_model", dModel);
    positive("d_kv", dKv);
    positive("num_heads", numHeads);
    positive("d_ff", dFf);
    positive("num_layers", numLayers);
    positive("vocab_size", vocabSize);
    if (relativeAttentionNumBuckets < 4 || relativeAttentionNumBuckets % 2 != 0) {
      throw new IllegalArgumentException(
          "relative_attention_num_buckets must be even and ≥ 4 (bidirectional buckets), got "
              + relativeAttentionNumBuckets);
    }
    if (relativeAttentionMaxDistance <= relativeAttentionNumBuckets / 4) {
      throw new IllegalArgumentException(
          "relative_attention_max_distance must exceed num_buckets / 4 = "
              + relativeAttentionNumBuckets / 4
              + ", got "
              + relativeAttentionMaxDistance);
    }
    if (!(layerNormEpsilon > 0) || Double.isInfinite(layerNormEpsilon)) {
      throw new IllegalArgumentException(
          "layer_norm_epsilon must be positive and finite, got " + layerNormEpsilon);
    }
    if (!gatedAct || !TANH_GELU.contains(denseActFn)) {
      throw new IllegalArgumentException(
          "feed_forward_proj "
              + feedForwardProj
              + " (dense_act_fn "
              + denseActFn
              + (gatedAct ? ", gated" : ", not gated")
              + ") is not supported: only T5 v1.1's gated tanh-GELU ('gated-gelu') is implemented");
    }
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }

  /** Width of the concatenated attention heads, {@code numHeads · dKv}. */
  public int innerDim() {
    return numHeads * dKv;
  }

  /** {@code layerNormEpsilon} as the float the kernels take. */
  public float epsilon() {
    return (float) layerNormEpsilon;
  }

  /**
   * T5 v1.1 XXL, the PixArt-α text encoder ({@code text_encoder/config.json} of Hugging Face {@code
   * PixArt-alpha/PixArt-LCM-XL-2-1024-MS}).
   */
  public static T5Config t5V11Xxl() {
    return new T5Config(
        4096, 64, 64, 10240, 24, 32128, 32, 128, 1e-6, "gated-gelu", "gelu_new", true);
  }

  /**
   * Reads a transformers T5 {@code config.json}. Absent keys take transformers' {@code T5Config}
   * defaults (vocab_size 32128, d_model 512, d_kv 64, d_ff 2048, num_layers 6, num_heads 8, 32
   * buckets, max distance 128, epsilon 1e-6, feed_forward_proj "relu" — which is rejected). Like
   * transformers, {@code dense_act_fn} and {@code is_gated_act} are derived from {@code
   * feed_forward_proj} ({@code gated-gelu} means {@code gelu_new}) unless the file states them.
   * Unknown keys are ignored.
   *
   * @throws WeightException if the file is missing, not JSON, or describes an unsupported model
   */
  public static T5Config fromJson(Path configJson) {
    return ConfigJson.read(configJson, "text encoder config", T5Config::fromJson);
  }

  private static T5Config fromJson(JsonNode root) {
    String modelType = text(root, "model_type", "t5");
    if (!modelType.equals("t5")) {
      throw new IllegalArgumentException("model_type must be 't5', got '" + modelType + "'");
    }
    String proj = text(root, "feed_forward_proj", "relu");
    String[] parts = proj.split("-", -1);
    if (parts.length > 2 || (parts.length == 2 && !parts[0].equals("gated"))) {
      throw new IllegalArgumentException(
          "feed_forward_proj '" + proj + "' is not of the form [gated-]<activation>");
    }
    String act = proj.equals("gated-gelu") ? "gelu_new" : parts[parts.length - 1];
    boolean gated = parts[0].equals("gated") && parts.length == 2;
    return new T5Config(
        integer(root, "d_model", 512),
        integer(root, "d_kv", 64),
        integer(root, "num_heads", 8),
        integer(root, "d_ff", 2048),
        integer(root, "num_layers", 6),
        integer(root, "vocab_size", 32128),
        integer(root, "relative_attention_num_buckets", 32),
        integer(root, "relative_attention_max_distance", 128),
        number(root, "layer_norm_epsilon", 1e-6),
        proj,
        text(root, "dense_act_fn", act),
        bool(root, "is_gated_act", gated));
  }
}
