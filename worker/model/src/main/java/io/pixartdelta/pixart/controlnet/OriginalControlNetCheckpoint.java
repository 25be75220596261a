package io.pixartdelta.pixart.controlnet;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.nn.Kernels;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping.Component;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping.Mapping;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping.Operation;
import io.pixartdelta.pixart.transformer.PixArtConfig;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.weights.PthCheckpoint;
import io.pixartdelta.pixart.weights.StrictLoader;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightException;
import io.pixartdelta.pixart.weights.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The official {@code PixArt-XL-2-1024-ControlNet.pth}: a {@code torch.save} of the original {@code
 * ControlPixArtMSHalf} state dict, holding a full base transformer ({@code base_model.*}, original
 * PixArtMS names) and the control branch ({@code controlnet.{k}.copied_block.*}, {@code
 * controlnet.0.before_proj.*}, {@code controlnet.{k}.after_proj.*}).
 *
 * <p>Opening maps every tensor with {@link OriginalCheckpointMapping} and fails on anything that is
 * neither used nor a known dropped buffer ({@code base_model.pos_embed}, {@code
 * base_model.y_embedder.y_embedding}); loading then checks each part strictly against its model
 * spec, so a missing tensor is reported by its diffusers name(s). Tensors are read one at a time;
 * nothing is loaded until {@link #loadAdapter} or {@link #loadBaseTransformer}.
 *
 * <p>The release runs the branch on the base weights stored here (which should equal
 * PixArt-XL-2-1024-MS: the branch trains with {@code base_model} frozen, PixArt-alpha @cac2fd3b
 * {@code diffusion/model/nets/pixart_controlnet.py}), so {@link #loadBaseTransformer} builds that
 * transformer too.
 */
public final class OriginalControlNetCheckpoint implements AutoCloseable {
  private static final int MAX_LISTED = 20;
  private static final String BASE_PREFIX = "base_model.";
  private static final String CONTROL_PREFIX = "controlnet.";
  private static final Pattern ADAPTER_INDEX =
      Pattern.compile(Pattern.quote(ControlNetAdapter.BLOCK_PREFIX) + "(\\d{1,6})\\..+");

  private final PthCheckpoint file;
  private final MappedTensorSource base;
  private final MappedTensorSource adapter;
  private final List<String> dropped;
  private final int adapterLayers;

  private OriginalControlNetCheckpoint(
      PthCheckpoint file,
      MappedTensorSource base,
      MappedTensorSource adapter,
      List<String> dropped,
      int adapterLayers) {
    this.file = file;
    this.base = base;
    this.adapter = adapter;
    this.dropped = List.copyOf(dropped);
    this.adapterLayers = adapterLayers;
  }

  /**
   * Opens {@code pth} with the restricted reader and maps its names.
   *
   * @throws WeightException if the file is missing, not a safe zip-format checkpoint, or holds a
   *     tensor outside the original ControlNet layout (all such names are listed)
   */
  public static OriginalControlNetCheckpoint open(Path pth) {
    PthCheckpoint file = PthCheckpoint.open(pth);
    try {
      return map(file);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  private static OriginalControlNetCheckpoint map(PthCheckpoint file) {
    List<Mapping> baseMappings = new ArrayList<>();
    List<Mapping> adapterMappings = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    TreeSet<String> unknown = new TreeSet<>();
    Map<String, String> producedBy = new HashMap<>();
    TreeSet<String> duplicates = new TreeSet<>();
    TreeSet<String> invalid = new TreeSet<>();
    for (String name : file.names()) {
      boolean isBase = name.startsWith(BASE_PREFIX);
      if (!isBase && !name.startsWith(CONTROL_PREFIX)) {
        unknown.add(name);
        continue;
      }
      Mapping m;
      try {
        m = OriginalCheckpointMapping.map(name, file.info(name).shape());
      } catch (WeightException e) {
        invalid.add(e.getMessage());
        continue;
      }
      if (m.operation() == Operation.DROP) {
        dropped.add(name);
        continue;
      }
      Component expected = isBase ? Component.TRANSFORMER : Component.CONTROLNET_ADAPTER;
      if (m.component() != expected) {
        unknown.add(name);
        continue;
      }
      for (String target : m.targets()) {
        String previous = producedBy.putIfAbsent(target, name);
        if (previous != null) {
          duplicates.add(previous + " and " + name + " (both " + target + ")");
        }
      }
      (isBase ? baseMappings : adapterMappings).add(m);
    }
    if (!unknown.isEmpty() || !invalid.isEmpty() || !duplicates.isEmpty()) {
      StringBuilder msg =
          new StringBuilder("checkpoint ")
              .append(file.describe())
              .append(" is not a PixArt ControlNet checkpoint in the original layout");
      appendList(msg, "unknown tensors", new ArrayList<>(unknown));
      appendList(msg, "unmappable tensors", new ArrayList<>(invalid));
      appendList(msg, "duplicates", new ArrayList<>(duplicates));
      throw new WeightException(msg.toString());
    }
    if (adapterMappings.isEmpty()) {
      throw new WeightException(
          "checkpoint "
              + file.describe()
              + " has no "
              + CONTROL_PREFIX
              + "* tensors: not a ControlNet checkpoint");
    }
    int layers = 0;
    for (Mapping m : adapterMappings) {
      for (String target : m.targets()) {
        Matcher k = ADAPTER_INDEX.matcher(target);
        if (k.matches()) {
          layers = Math.max(layers, Integer.parseInt(k.group(1)) + 1);
        }
      }
    }
    MappedTensorSource base =
        MappedTensorSource.of(
            file, file.describe() + " [base_model.* as diffusers transformer names]", baseMappings);
    MappedTensorSource adapter =
        MappedTensorSource.of(
            file, file.describe() + " [controlnet.* as diffusers adapter names]", adapterMappings);
    return new OriginalControlNetCheckpoint(file, base, adapter, dropped, layers);
  }

  private static void appendList(StringBuilder msg, String label, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    int shown = Math.min(items.size(), MAX_LISTED);
    msg.append("\n  ").append(label).append(" (").append(items.size()).append("): ");
    msg.append(String.join(", ", items.subList(0, shown)));
    if (shown < items.size()) {
      msg.append(", ...");
    }
  }

  /**
   * Copied blocks in the control branch: one more than the highest {@code controlnet.{k}} index (a
   * gap is reported as missing tensors when loading).
   */
  public int adapterLayers() {
    return adapterLayers;
  }

  /** Stored tensors that are known and deliberately not loaded (fixed buffers, training-only). */
  public List<String> droppedTensors() {
    return dropped;
  }

  /** The {@code base_model.*} tensors under diffusers transformer names (owned by this object). */
  public TensorSource baseTransformerTensors() {
    return base;
  }

  /** The {@code controlnet.*} tensors under diffusers adapter names (owned by this object). */
  public TensorSource adapterTensors() {
    return adapter;
  }

  /**
   * Loads the control branch with {@link #adapterLayers()} copies sized from {@code
   * transformerConfig}.
   *
   * @throws WeightException naming every missing, unexpected or mis-shaped tensor
   */
  public ControlNetAdapter loadAdapter(
      PixArtConfig transformerConfig, Device device, DataType dtype, Kernels kernels) {
    ControlNetAdapterConfig config = new ControlNetAdapterConfig(adapterLayers);
    Weights weights =
        StrictLoader.load(
            adapter, ControlNetAdapter.weightSpec(config, transformerConfig), device, dtype);
    return new ControlNetAdapter(config, transformerConfig, weights, kernels);
  }

  /**
   * Builds the base transformer from the {@code base_model.*} tensors, checked strictly against
   * {@link PixArtTransformer#weightSpec}. The .pth has no config: pass the architecture's (the
   * PixArt-XL-2-1024-MS / LCM {@code transformer/config.json} describes the same shapes).
   *
   * @throws WeightException naming every missing, unexpected or mis-shaped tensor
   */
  public PixArtTransformer loadBaseTransformer(
      PixArtConfig config, Device device, DataType dtype, Kernels kernels) {
    Weights weights = StrictLoader.load(base, PixArtTransformer.weightSpec(config), device, dtype);
    return new PixArtTransformer(config, weights, kernels);
  }

  @Override
  public void close() {
    try {
      base.close();
      adapter.close();
    } finally {
      file.close();
    }
  }
}
