package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.text.CaptionPreprocessor;
import io.pixartdelta.pixart.text.T5Encoder;
import io.pixartdelta.pixart.text.T5Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prompt → T5 embeddings, once per distinct prompt: an LRU cache keyed by the cleaned text, and one
 * batched T5 call for all uncached prompts of a micro-batch. Embeddings never leave the encoder's
 * device: cached rows live under a manager of their own (closed on eviction), fresh rows are slices
 * of the T5 output, and the batch is one concatenation on the device.
 *
 * <p>Not thread-safe: the pipeline's render thread owns it.
 */
final class PromptEncoder {

  /** Embeddings (B, L, C) in the encoder's type and the mask (B, L) int64. */
  record Encoded(NDArray embeddings, NDArray mask) {}

  /** One prompt: its (1, L, C) embedding on the device and its host mask. */
  private record Entry(NDArray embedding, long[] mask) {}

  private final T5Tokenizer tokenizer;
  private final T5Encoder encoder;
  private final CaptionPreprocessor preprocessor;
  private final int capacity;
  private final NDManager cacheManager;
  private final Map<String, Entry> cache;
  private final List<NDArray> evicted = new ArrayList<>();

  /**
   * @param cacheManager owns the cached embeddings (a child of the pipeline's manager, on the
   *     encoder's device)
   */
  PromptEncoder(
      T5Tokenizer tokenizer,
      T5Encoder encoder,
      CaptionPreprocessor preprocessor,
      int capacity,
      NDManager cacheManager) {
    this.tokenizer = tokenizer;
    this.encoder = encoder;
    this.preprocessor = preprocessor;
    this.capacity = capacity;
    this.cacheManager = cacheManager;
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            boolean evict = size() > PromptEncoder.this.capacity;
            if (evict) {
              evicted.add(eldest.getValue().embedding()); // may still be a row of this batch
            }
            return evict;
          }
        };
  }

  /**
   * Encodes {@code prompts} (one row each, duplicates allowed) into {@code manager}. Nothing waits
   * for the device: the mask is uploaded before T5 is launched, so the caller can do host work
   * (e.g. draw initial latents) while T5 runs.
   */
  Encoded encode(List<String> prompts, NDManager manager) {
    List<String> cleaned = preprocessor.apply(prompts);
    int length = tokenizer.maxLength();
    try (NDManager scope = manager.newSubManager(encoder.device())) {
      List<String> missing = new ArrayList<>();
      for (String text : cleaned) {
        if (!cache.containsKey(text) && !missing.contains(text)) {
          missing.add(text);
        }
      }
      T5Tokenizer.Encoding enc = missing.isEmpty() ? null : tokenizer.encode(missing);
      // Masks are host data (the tokenizer's): one upload, before any device work is queued.
      long[] masks = new long[cleaned.size() * length];
      for (int i = 0; i < cleaned.size(); i++) {
        Entry cached = cache.get(cleaned.get(i));
        long[] row = cached != null ? cached.mask() : enc.mask()[missing.indexOf(cleaned.get(i))];
        System.arraycopy(row, 0, masks, i * length, length);
      }
      NDArray mask = manager.create(masks, new Shape(cleaned.size(), length)); // (B, L)
      Map<String, Entry> found = new LinkedHashMap<>();
      for (String text : cleaned) {
        Entry e = cache.get(text); // marks it recently used
        if (e != null) {
          found.put(text, e);
        }
      }
      if (enc != null) {
        NDArray ids = enc.idsArray(scope); // (M, L)
        NDArray idsMask = enc.maskArray(scope); // (M, L)
        NDList rows = encoder.encode(ids, idsMask).split(missing.size(), 0); // M × (1, L, C)
        for (int i = 0; i < missing.size(); i++) {
          NDArray row = rows.get(i);
          Entry e = new Entry(row, enc.mask()[i].clone());
          found.put(missing.get(i), e);
          if (capacity > 0) {
            row.attach(cacheManager);
            cache.put(missing.get(i), e);
          }
        }
      }
      NDList rows = new NDList();
      for (String text : cleaned) {
        rows.add(found.get(text).embedding()); // (1, L, C)
      }
      NDArray embeddings = NDArrays.concat(rows, 0).toType(encoder.dtype(), false); // (B, L, C)
      embeddings.attach(manager);
      evicted.forEach(NDArray::close);
      evicted.clear();
      return new Encoded(embeddings, mask);
    }
  }

  int cachedPrompts() {
    return cache.size();
  }
}
