package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.text.CaptionPreprocessor;
import io.pixartdelta.pixart.text.T5Encoder;
import io.pixartdelta.pixart.text.T5Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prompt → T5 embeddings, once per distinct prompt: an LRU cache of host copies keyed by the
 * cleaned text, and one batched T5 call for all uncached prompts of a micro-batch.
 */
final class PromptEncoder {

  /** Embeddings (B, L, C) in the encoder's type and the mask (B, L) int64. */
  record Encoded(NDArray embeddings, NDArray mask) {}

  private record Entry(float[] embedding, long[] mask) {}

  private final T5Tokenizer tokenizer;
  private final T5Encoder encoder;
  private final CaptionPreprocessor preprocessor;
  private final int capacity;
  private final Map<String, Entry> cache;

  PromptEncoder(
      T5Tokenizer tokenizer, T5Encoder encoder, CaptionPreprocessor preprocessor, int capacity) {
    this.tokenizer = tokenizer;
    this.encoder = encoder;
    this.preprocessor = preprocessor;
    this.capacity = capacity;
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > PromptEncoder.this.capacity;
          }
        };
  }

  /** Encodes {@code prompts} (one row each, duplicates allowed) into {@code manager}. */
  Encoded encode(List<String> prompts, NDManager manager) {
    List<String> cleaned = preprocessor.apply(prompts);
    Map<String, Entry> found = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    synchronized (cache) {
      for (String text : cleaned) {
        Entry e = cache.get(text);
        if (e != null) {
          found.put(text, e);
        } else if (!missing.contains(text)) {
          missing.add(text);
        }
      }
    }
    long length = tokenizer.maxLength();
    long channels = encoder.config().dModel();
    if (!missing.isEmpty()) {
      T5Tokenizer.Encoding enc = tokenizer.encode(missing);
      try (NDManager scope = manager.newSubManager(encoder.device())) {
        NDArray ids = enc.idsArray(scope); // (M, L)
        NDArray mask = enc.maskArray(scope); // (M, L)
        float[] all = encoder.encode(ids, mask).toType(DataType.FLOAT32, false).toFloatArray();
        int per = Math.toIntExact(length * channels);
        for (int i = 0; i < missing.size(); i++) {
          float[] row = new float[per];
          System.arraycopy(all, i * per, row, 0, per);
          Entry e = new Entry(row, enc.mask()[i].clone());
          found.put(missing.get(i), e);
          if (capacity > 0) {
            synchronized (cache) {
              cache.put(missing.get(i), e);
            }
          }
        }
      }
    }
    NDList rows = new NDList();
    NDList masks = new NDList();
    for (String text : cleaned) {
      Entry e = found.get(text);
      rows.add(manager.create(e.embedding(), new Shape(1, length, channels))); // (1, L, C)
      masks.add(manager.create(e.mask(), new Shape(1, length))); // (1, L)
    }
    NDArray embeddings = NDArrays.concat(rows, 0).toType(encoder.dtype(), false); // (B, L, C)
    NDArray mask = NDArrays.concat(masks, 0); // (B, L)
    return new Encoded(embeddings, mask);
  }

  int cachedPrompts() {
    synchronized (cache) {
      return cache.size();
    }
  }
}
