package io.pixartdelta.pixart.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.weights.WeightException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameter names of the original PixArt-α code ({@code PixArtMS}, and the ControlNet checkpoint
 * {@code ControlPixArtMSHalf}: {@code base_model.*} + {@code controlnet.{k}.*}) mapped to the
 * diffusers names this project loads: a pure function over names and shapes that says, per original
 * tensor, which diffusers tensor(s) it becomes and how to split it.
 *
 * <ul>
 *   <li>Base model keys, bare or under {@code base_model.}, map to {@link Component#TRANSFORMER}
 *       names ({@code x_embedder.proj → pos_embed.proj}, {@code t_block.1 → adaln_single.linear},
 *       {@code blocks.{l}.attn.qkv} split in thirds along dim 0 into {@code attn1.to_q|to_k|to_v},
 *       {@code cross_attn.kv_linear} in halves into {@code attn2.to_k|to_v}, …). {@code pos_embed}
 *       and {@code y_embedder.y_embedding} are dropped.
 *   <li>{@code controlnet.{k}.copied_block.<block key>} maps to {@link
 *       Component#CONTROLNET_ADAPTER} {@code controlnet_blocks.{k}.transformer_block.<diffusers
 *       block key>}; {@code controlnet.{k}.before_proj|after_proj.*} to {@code
 *       controlnet_blocks.{k}.before_proj|after_proj.*}.
 * </ul>
 *
 * Ported from the key table of diffusers {@code
 * scripts/convert_pixart_alpha_to_diffusers.py} @58eb52c; the ControlNet checkpoint's {@code
 * base_model.}/{@code controlnet.} prefixes are the attribute names of {@code ControlPixArtMSHalf}
 * (PixArt-alpha @cac2fd3b {@code diffusion/model/nets/pixart_controlnet.py}).
 */
public final class OriginalCheckpointMapping {
  private OriginalCheckpointMapping() {}

  /** Which diffusers model a mapped tensor belongs to. */
  public enum Component {
    /** {@code transformer/diffusion_pytorch_model.safetensors} names. */
    TRANSFORMER,
    /** The ControlNet adapter ({@code PixArtControlNetAdapterModel}) names. */
    CONTROLNET_ADAPTER
  }

  /** What to do with an original tensor. */
  public enum Operation {
    /** Use as is under the single target name. */
    RENAME,
    /** Split into {@code targets.size()} equal parts along dim 0, in target order. */
    SPLIT_DIM0,
    /** Not a parameter of the diffusers model (a fixed buffer or a training-only embedding). */
    DROP
  }

  /**
   * The mapping of one original tensor.
   *
   * @param original the original name
   * @param operation how to produce the targets
   * @param component where the targets belong (meaningless for {@link Operation#DROP})
   * @param targets diffusers names, in split order; empty for {@link Operation#DROP}
   * @param targetShapes the shape of each target
   */
  public record Mapping(
      String original,
      Operation operation,
      Component component,
      List<String> targets,
      List<Shape> targetShapes) {
    public Mapping {
      targets = List.copyOf(targets);
      targetShapes = List.copyOf(targetShapes);
      if (targets.size() != targetShapes.size()) {
        throw new IllegalArgumentException("targets and targetShapes differ in length");
      }
    }

    /**
     * Applies the split instruction to the loaded original tensor.
     *
     * @param source the original tensor (in a manager that is not capped: the results attach there)
     * @return one array per target, in target order; empty for {@link Operation#DROP}
     */
    public List<NDArray> apply(NDArray source) {
      return switch (operation) {
        case DROP -> List.of();
        case RENAME -> List.of(source);
        case SPLIT_DIM0 -> List.copyOf(source.split(targets.size(), 0));
      };
    }
  }

  private static final String BASE_PREFIX = "base_model.";
  private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(.+)");
  private static final Pattern CONTROL =
      Pattern.compile("controlnet\\.(\\d+)\\.(copied_block|before_proj|after_proj)\\.(.+)");

  /** Whole-model keys without a block index, original stem → diffusers stem. */
  private static final Map<String, String> BASE_STEMS =
      Map.ofEntries(
          Map.entry("x_embedder.proj", "pos_embed.proj"),
          Map.entry("y_embedder.y_proj.fc1", "caption_projection.linear_1"),
          Map.entry("y_embedder.y_proj.fc2", "caption_projection.linear_2"),
          Map.entry("t_embedder.mlp.0", "adaln_single.emb.timestep_embedder.linear_1"),
          Map.entry("t_embedder.mlp.2", "adaln_single.emb.timestep_embedder.linear_2"),
          Map.entry("csize_embedder.mlp.0", "adaln_single.emb.resolution_embedder.linear_1"),
          Map.entry("csize_embedder.mlp.2", "adaln_single.emb.resolution_embedder.linear_2"),
          Map.entry("ar_embedder.mlp.0", "adaln_single.emb.aspect_ratio_embedder.linear_1"),
          Map.entry("ar_embedder.mlp.2", "adaln_single.emb.aspect_ratio_embedder.linear_2"),
          Map.entry("t_block.1", "adaln_single.linear"),
          Map.entry("final_layer.linear", "proj_out"));

  /** Block-level stems that are renamed one to one. */
  private static final Map<String, String> BLOCK_STEMS =
      Map.of(
          "attn.proj", "attn1.to_out.0",
          "cross_attn.q_linear", "attn2.to_q",
          "cross_attn.proj", "attn2.to_out.0",
          "mlp.fc1", "ff.net.0.proj",
          "mlp.fc2", "ff.net.2");

  /**
   * Maps one original tensor.
   *
   * @param original the name in the original checkpoint
   * @param shape its shape (checked for the splits and used for the target shapes)
   * @throws WeightException if the name is not part of the original layout or a split does not
   *     divide the shape
   */
  public static Mapping map(String original, Shape shape) {
    Matcher control = CONTROL.matcher(original);
    if (control.matches()) {
      String prefix = "controlnet_blocks." + control.group(1) + ".";
      String part = control.group(2);
      String rest = control.group(3);
      if (part.equals("copied_block")) {
        return mapBlockKey(
            original, rest, shape, Component.CONTROLNET_ADAPTER, prefix + "transformer_block.");
      }
      if (rest.equals("weight") || rest.equals("bias")) {
        return rename(original, Component.CONTROLNET_ADAPTER, prefix + part + "." + rest, shape);
      }
      throw unknown(original);
    }
    String key =
        original.startsWith(BASE_PREFIX) ? original.substring(BASE_PREFIX.length()) : original;
    if (key.equals("pos_embed") || key.equals("y_embedder.y_embedding")) {
      return new Mapping(original, Operation.DROP, Component.TRANSFORMER, List.of(), List.of());
    }
    if (key.equals("final_layer.scale_shift_table")) {
      return rename(original, Component.TRANSFORMER, "scale_shift_table", shape);
    }
    Matcher block = BLOCK.matcher(key);
    if (block.matches()) {
      return mapBlockKey(
          original,
          block.group(2),
          shape,
          Component.TRANSFORMER,
          "transformer_blocks." + block.group(1) + ".");
    }
    int dot = key.lastIndexOf('.');
    if (dot > 0) {
      String stem = BASE_STEMS.get(key.substring(0, dot));
      String leaf = key.substring(dot + 1);
      if (stem != null && (leaf.equals("weight") || leaf.equals("bias"))) {
        return rename(original, Component.TRANSFORMER, stem + "." + leaf, shape);
      }
    }
    throw unknown(original);
  }

  /** Maps a key inside one block ({@code attn.qkv.weight}, {@code scale_shift_table}, …). */
  private static Mapping mapBlockKey(
      String original, String key, Shape shape, Component component, String prefix) {
    if (key.equals("scale_shift_table")) {
      return rename(original, component, prefix + key, shape);
    }
    int dot = key.lastIndexOf('.');
    if (dot <= 0) {
      throw unknown(original);
    }
    String stem = key.substring(0, dot);
    String leaf = key.substring(dot + 1);
    if (!leaf.equals("weight") && !leaf.equals("bias")) {
      throw unknown(original);
    }
    switch (stem) {
      case "attn.qkv":
        return split(
            original, component, shape, prefix, leaf, "attn1.to_q", "attn1.to_k", "attn1.to_v");
      case "cross_attn.kv_linear":
        return split(original, component, shape, prefix, leaf, "attn2.to_k", "attn2.to_v");
      default:
        String target = BLOCK_STEMS.get(stem);
        if (target == null) {
          throw unknown(original);
        }
        return rename(original, component, prefix + target + "." + leaf, shape);
    }
  }

  private static Mapping rename(String original, Component component, String target, Shape shape) {
    return new Mapping(original, Operation.RENAME, component, List.of(target), List.of(shape));
  }

  private static Mapping split(
      String original,
      Component component,
      Shape shape,
      String prefix,
      String leaf,
      String... stems) {
    int parts = stems.length;
    if (shape.dimension() < 1 || shape.get(0) % parts != 0) {
      throw new WeightException(
          "original tensor "
              + original
              + " of shape "
              + shape
              + " cannot be split in "
              + parts
              + " along dim 0");
    }
    long[] dims = shape.getShape().clone();
    dims[0] = dims[0] / parts;
    Shape part = new Shape(dims);
    List<String> targets = new ArrayList<>(parts);
    List<Shape> shapes = new ArrayList<>(parts);
    for (String stem : stems) {
      targets.add(prefix + stem + "." + leaf);
      shapes.add(part);
    }
    return new Mapping(original, Operation.SPLIT_DIM0, component, targets, shapes);
  }

  private static WeightException unknown(String original) {
    return new WeightException("not a tensor of the original PixArt layout: " + original);
  }
}
