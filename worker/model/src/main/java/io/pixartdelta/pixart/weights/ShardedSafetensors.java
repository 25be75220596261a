package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Several safetensors files read as one, either through a Hugging Face {@code
 * *.safetensors.index.json} ({@code weight_map}: tensor → shard) or a plain list of files.
 */
public final class ShardedSafetensors implements TensorSource {
  private final String description;
  private final Map<String, SafetensorsFile> owner;
  private final List<SafetensorsFile> shards;

  private ShardedSafetensors(
      String description, Map<String, SafetensorsFile> owner, List<SafetensorsFile> shards) {
    this.description = description;
    this.owner = owner;
    this.shards = shards;
  }

  /**
   * A component folder's weights as diffusers and transformers save them: {@code file} if present,
   * else the shards listed by {@code indexFile} (what large models are split into).
   *
   * @param what the component, for the message ("transformer")
   * @throws WeightException if neither file is in {@code dir}
   */
  public static TensorSource openFolder(Path dir, String file, String indexFile, String what) {
    Path single = dir.resolve(file);
    if (Files.isRegularFile(single)) {
      return SafetensorsFile.open(single);
    }
    Path index = dir.resolve(indexFile);
    if (Files.isRegularFile(index)) {
      return openIndex(index);
    }
    throw new WeightException(
        "no " + what + " weights in " + dir + ": expected " + file + " or " + indexFile);
  }

  /** Opens the shards named by an index file's {@code weight_map}, checking it against them. */
  public static ShardedSafetensors openIndex(Path indexJson) {
    Map<String, String> weightMap =
        ConfigJson.read(indexJson, "weights index", ShardedSafetensors::weightMap);
    Path dir = indexJson.toAbsolutePath().getParent();
    Map<String, SafetensorsFile> files = new TreeMap<>();
    Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
    List<SafetensorsFile> opened = new ArrayList<>();
    try {
      for (Map.Entry<String, String> e : weightMap.entrySet()) {
        String shardName = e.getValue();
        SafetensorsFile shard = files.get(shardName);
        if (shard == null) {
          shard = SafetensorsFile.open(dir.resolve(shardName));
          files.put(shardName, shard);
          opened.add(shard);
        }
        if (!shard.names().contains(e.getKey())) {
          throw new WeightException(
              "weights index "
                  + indexJson
                  + " puts "
                  + e.getKey()
                  + " in "
                  + shard.path()
                  + ", which does not contain it");
        }
        owner.put(e.getKey(), shard);
      }
    } catch (RuntimeException e) {
      opened.forEach(SafetensorsFile::close);
      throw e;
    }
    return new ShardedSafetensors(
        indexJson.toString(), Collections.unmodifiableMap(owner), List.copyOf(opened));
  }

  /** The index's {@code weight_map}: tensor name → shard file name, in file order. */
  private static Map<String, String> weightMap(JsonNode root) {
    JsonNode map = ConfigJson.present(root, "weight_map");
    if (map == null || !map.isObject()) {
      throw new IllegalArgumentException("weight_map is required (a JSON object)");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      out.put(e.getKey(), ConfigJson.text(map, e.getKey(), null));
    }
    return out;
  }

  /** Reads several files as one; a name present in two files is an error. */
  public static ShardedSafetensors of(List<Path> files) {
    Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
    List<SafetensorsFile> opened = new ArrayList<>();
    try {
      for (Path p : files) {
        SafetensorsFile f = SafetensorsFile.open(p);
        opened.add(f);
        for (String name : f.names()) {
          SafetensorsFile prev = owner.put(name, f);
          if (prev != null) {
            throw new WeightException(
                "tensor " + name + " is in both " + prev.path() + " and " + f.path());
          }
        }
      }
    } catch (RuntimeException e) {
      opened.forEach(SafetensorsFile::close);
      throw e;
    }
    return new ShardedSafetensors(
        files.toString(), Collections.unmodifiableMap(owner), List.copyOf(opened));
  }

  @Override
  public Set<String> names() {
    return owner.keySet();
  }

  @Override
  public TensorInfo info(String name) {
    SafetensorsFile f = owner.get(name);
    if (f == null) {
      throw new WeightException("tensor " + name + " not found in " + description);
    }
    return f.info(name);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public NDArray load(String name, NDManager manager, DataType target) {
    SafetensorsFile f = owner.get(name);
    if (f == null) {
      throw new WeightException("tensor " + name + " not found in " + description);
    }
    return f.load(name, manager, target);
  }

  @Override
  public void close() {
    shards.forEach(SafetensorsFile::close);
  }
}
