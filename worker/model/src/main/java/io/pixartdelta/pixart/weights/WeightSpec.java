package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The tensors a model component expects: each parameter name with its shape, the alternative names
 * a checkpoint may use for it, and the stored names that may be present but are not used.
 *
 * <p>Built once per component from its config; {@link StrictLoader} checks a checkpoint against it.
 */
public final class WeightSpec {
  private final Map<String, Shape> expected = new LinkedHashMap<>();
  private final Map<String, List<String>> aliases = new LinkedHashMap<>();
  private final List<Predicate<String>> ignorable = new ArrayList<>();

  /** Declares parameter {@code name} with its shape. */
  public WeightSpec expect(String name, long... shape) {
    if (expected.put(name, new Shape(shape)) != null) {
      throw new IllegalArgumentException("parameter declared twice: " + name);
    }
    return this;
  }

  /**
   * Lets {@code storedName} stand in for parameter {@code name} when {@code name} itself is absent
   * (e.g. the tied T5 embedding, old VAE attention names). Aliases are tried in declaration order.
   */
  public WeightSpec alias(String name, String storedName) {
    aliases.computeIfAbsent(name, k -> new ArrayList<>()).add(storedName);
    return this;
  }

  /** Stored names matching {@code rule} are accepted and not loaded (known unused buffers). */
  public WeightSpec ignore(Predicate<String> rule) {
    ignorable.add(rule);
    return this;
  }

  /** Stored name {@code name} is accepted and not loaded. */
  public WeightSpec ignore(String name) {
    return ignore(name::equals);
  }

  public Map<String, Shape> expected() {
    return Collections.unmodifiableMap(expected);
  }

  public List<String> aliasesOf(String name) {
    return aliases.getOrDefault(name, List.of());
  }

  boolean isAlias(String storedName) {
    return aliases.values().stream().anyMatch(l -> l.contains(storedName));
  }

  boolean isIgnorable(String storedName) {
    return ignorable.stream().anyMatch(p -> p.test(storedName));
  }
}
