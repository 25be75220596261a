package io.pixartdelta.pixart.controlnet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping.Mapping;
import io.pixartdelta.pixart.transformer.OriginalCheckpointMapping.Operation;
import io.pixartdelta.pixart.weights.TensorInfo;
import io.pixartdelta.pixart.weights.TensorSource;
import io.pixartdelta.pixart.weights.WeightException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A view of original-layout tensors under their diffusers names: each name is one target of an
 * {@link Mapping} (a renamed tensor or one part of a split {@code qkv} / {@code kv}). Does not own
 * the underlying source.
 *
 * <p>A split original is read once: its parts stay cached until every part has been handed out (a
 * strict load asks for all of them, interleaved with other tensors), and at most {@value
 * #MAX_CACHED} originals are held at a time.
 */
final class MappedTensorSource implements TensorSource {
  static final int MAX_CACHED = 4;

  /** Where a diffusers name comes from: part {@code part} of {@code mapping}'s original. */
  private record Target(Mapping mapping, int part, Shape shape) {}

  /** A loaded original's parts not yet handed out, in their own manager. */
  private static final class Cached {
    final NDManager manager;
    final Device device;
    final DataType dtype;
    final List<NDArray> parts;
    final Set<String> pending;

    Cached(NDManager manager, DataType dtype, List<NDArray> parts, List<String> targets) {
      this.manager = manager;
      this.device = manager.getDevice();
      this.dtype = dtype;
      this.parts = parts;
      this.pending = new HashSet<>(targets);
    }
  }

  private final TensorSource original;
  private final String description;
  private final Map<String, Target> targets;
  private final Map<String, Cached> cache = new LinkedHashMap<>();

  private MappedTensorSource(
      TensorSource original, String description, Map<String, Target> targets) {
    this.original = original;
    this.description = description;
    this.targets = targets;
  }

  /**
   * The targets of {@code mappings} (none of them {@link Operation#DROP}); target names must be
   * unique.
   */
  static MappedTensorSource of(TensorSource original, String description, List<Mapping> mappings) {
    Map<String, Target> targets = new LinkedHashMap<>();
    for (Mapping m : mappings) {
      if (m.operation() == Operation.DROP) {
        throw new IllegalArgumentException("dropped tensor " + m.original() + " has no target");
      }
      for (int i = 0; i < m.targets().size(); i++) {
        Target previous =
            targets.put(m.targets().get(i), new Target(m, i, m.targetShapes().get(i)));
        if (previous != null) {
          throw new IllegalArgumentException("two tensors map to " + m.targets().get(i));
        }
      }
    }
    return new MappedTensorSource(original, description, Collections.unmodifiableMap(targets));
  }

  @Override
  public Set<String> names() {
    return targets.keySet();
  }

  /** The original tensor name that provides {@code name}. */
  String originalOf(String name) {
    return target(name).mapping().original();
  }

  @Override
  public TensorInfo info(String name) {
    Target t = target(name);
    TensorInfo stored = original.info(t.mapping().original());
    return new TensorInfo(
        name,
        stored.file(),
        stored.dtype(),
        t.shape(),
        0,
        t.shape().size() * stored.dtype().bytes());
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public NDArray load(String name, NDManager manager, DataType target) {
    Target t = target(name);
    Mapping m = t.mapping();
    if (m.operation() == Operation.RENAME) {
      return original.load(m.original(), manager, target);
    }
    Cached c = cache.get(m.original());
    if (c == null || !c.device.equals(manager.getDevice()) || !Objects.equals(c.dtype, target)) {
      if (c != null) {
        evict(m.original());
      }
      c = read(m, manager.getDevice(), target);
    }
    NDArray part = c.parts.get(t.part()).duplicate(); // contiguous copy, frees the whole later
    part.attach(manager);
    c.pending.remove(name);
    if (c.pending.isEmpty()) {
      evict(m.original());
    }
    return part;
  }

  private Cached read(Mapping m, Device device, DataType target) {
    while (cache.size() >= MAX_CACHED) {
      Iterator<String> eldest = cache.keySet().iterator();
      evict(eldest.next());
    }
    NDManager holder = NDManager.newBaseManager(device);
    try {
      NDArray whole = original.load(m.original(), holder, target);
      List<NDArray> parts = new ArrayList<>(m.apply(whole));
      Cached c = new Cached(holder, target, parts, m.targets());
      cache.put(m.original(), c);
      return c;
    } catch (RuntimeException e) {
      holder.close();
      throw e;
    }
  }

  private void evict(String originalName) {
    Cached c = cache.remove(originalName);
    if (c != null) {
      c.manager.close();
    }
  }

  private Target target(String name) {
    Target t = targets.get(name);
    if (t == null) {
      throw new WeightException("tensor " + name + " not found in " + description);
    }
    return t;
  }

  /** Number of originals currently cached (for tests). */
  int cachedOriginals() {
    return cache.size();
  }

  /** Releases cached parts; the underlying source stays open. */
  @Override
  public void close() {
    for (String name : new ArrayList<>(cache.keySet())) {
      evict(name);
    }
  }
}
