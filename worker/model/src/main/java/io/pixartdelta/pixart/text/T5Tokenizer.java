package io.pixartdelta.pixart.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.sentencepiece.SpProcessor;
import ai.djl.sentencepiece.SpTokenizer;
import io.pixartdelta.pixart.weights.ConfigJson;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * T5's tokenizer as PixArtAlphaPipeline calls it ({@code padding="max_length", max_length=120,
 * truncation=True, add_special_tokens=True}), on top of the native SentencePiece library through
 * DJL's binding.
 *
 * <p>Per prompt (already preprocessed, see {@link CaptionPreprocessor}):
 *
 * <ol>
 *   <li>Special-token literals typed in the text ({@code </s>}, {@code <pad>}, {@code <unk>},
 *       {@code <extra_id_k>}) become their own ids, as transformers' added tokens do; each stretch
 *       of text between them is SentencePiece-encoded on its own (so it starts with a fresh {@code
 *       ▁}; the model's {@code nmt_nfkc} normaliser and whitespace rules apply).
 *   <li>The ids are cut to {@code maxLength − 1} and the EOS id appended (always, even after a
 *       typed {@code </s>}, as transformers 5's post-processor does), then padded with the pad id.
 *   <li>The mask is 1 for every real position including the EOS and any typed {@code <pad>}.
 * </ol>
 *
 * <p>{@code <extra_id_k>} has id {@code pieces + extraIds − 1 − k} (32099 − k for the real model).
 *
 * <p>Thread-safe: calls into the native processor are serialised on this object (tokenising a
 * prompt takes microseconds); {@link #close()} releases the native model and makes later calls
 * fail.
 *
 * <p>Known limit of the binding: text reaches the native library as JNI "modified UTF-8", in which
 * characters outside the Basic Multilingual Plane are not valid UTF-8. Such characters are first
 * NFKC-mapped here (the model's normaliser would do the same, e.g. mathematical bold letters become
 * ASCII); any that remain (emoji) come out as {@code <unk>}, which matches the reference whenever
 * the vocabulary has no piece outside the BMP ({@link #hasSupplementaryPieces()}).
 */
public final class T5Tokenizer implements AutoCloseable {
  /** PixArt's {@code max_sequence_length}: 119 text tokens + EOS. */
  public static final int MAX_SEQUENCE_LENGTH = 120;

  /** T5's default number of sentinel tokens when {@code tokenizer_config.json} does not say. */
  public static final int DEFAULT_EXTRA_IDS = 100;

  private final SpTokenizer sentencePiece;
  private final SentencePieceModel model;
  private final SpecialTokenSplitter splitter;
  private final int maxLength;
  private final int padId;
  private final int eosId;
  private final boolean supplementaryPieces;
  private boolean closed;

  private T5Tokenizer(
      SpTokenizer nativeTokenizer, SentencePieceModel model, int extraIds, int maxLength) {
    this.sentencePiece = nativeTokenizer;
    this.model = model;
    this.maxLength = maxLength;
    this.padId = model.idOf("<pad>");
    this.eosId = model.idOf("</s>");
    int unkId = model.unknownId();
    this.splitter = new SpecialTokenSplitter(padId, eosId, unkId, extraIds, model.size());
    this.supplementaryPieces =
        model.pieces().stream().anyMatch(p -> p.piece().codePoints().anyMatch(c -> c > 0xFFFF));
  }

  /** Loads {@code <tokenizerDir>/spiece.model} with {@link #MAX_SEQUENCE_LENGTH}. */
  public static T5Tokenizer load(Path tokenizerDir) {
    return load(tokenizerDir, MAX_SEQUENCE_LENGTH);
  }

  /**
   * Loads {@code <tokenizerDir>/spiece.model}; {@code extra_ids} comes from {@code
   * tokenizer_config.json} when present (default 100).
   *
   * @param maxLength padded length including the EOS (≥ 1)
   * @throws WeightException if the folder does not hold a usable T5 SentencePiece model
   */
  public static T5Tokenizer load(Path tokenizerDir, int maxLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be ≥ 1, got " + maxLength);
    }
    Path file = tokenizerDir.resolve("spiece.model");
    SentencePieceModel model = SentencePieceModel.read(file);
    checkT5Layout(model, file);
    int extraIds = readExtraIds(tokenizerDir.resolve("tokenizer_config.json"));
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new WeightException("cannot read SentencePiece model " + file, e);
    }
    SpTokenizer sp;
    try {
      sp = new SpTokenizer(bytes);
    } catch (RuntimeException e) {
      throw new WeightException(
          "the SentencePiece library rejected " + file + ": " + e.getMessage(), e);
    }
    return new T5Tokenizer(sp, model, extraIds, maxLength);
  }

  private static void checkT5Layout(SentencePieceModel model, Path file) {
    if (model.modelType() != SentencePieceModel.UNIGRAM) {
      throw new WeightException(
          file + " is not a unigram SentencePiece model (type " + model.modelType() + ")");
    }
    if (model.idOf("<pad>") < 0 || model.idOf("</s>") < 0 || model.unknownId() < 0) {
      throw new WeightException(file + " lacks one of the T5 pieces <pad>, </s>, <unk>");
    }
  }

  private static int readExtraIds(Path config) {
    if (!Files.isRegularFile(config)) {
      return DEFAULT_EXTRA_IDS;
    }
    int extra =
        ConfigJson.read(
            config, "tokenizer config", c -> ConfigJson.integer(c, "extra_ids", DEFAULT_EXTRA_IDS));
    if (extra < 0) {
      throw new WeightException(config + ": extra_ids must be a non-negative integer");
    }
    return extra;
  }

  /**
   * Token ids and attention masks for a batch of prompts, each row padded to the tokenizer's
   * length.
   *
   * @param ids (B, L) token ids
   * @param mask (B, L) 1 for real positions (text, typed special tokens, EOS), 0 for padding
   * @param fullLengths per row, the token count before truncation, EOS included
   */
  public record Encoding(long[][] ids, long[][] mask, int[] fullLengths) {
    public Encoding {
      ids = deepCopy(Objects.requireNonNull(ids, "ids"));
      mask = deepCopy(Objects.requireNonNull(mask, "mask"));
      fullLengths = Objects.requireNonNull(fullLengths, "fullLengths").clone();
      if (mask.length != ids.length || fullLengths.length != ids.length) {
        throw new IllegalArgumentException(
            "ids, mask and fullLengths must have one row per prompt: "
                + ids.length
                + ", "
                + mask.length
                + ", "
                + fullLengths.length);
      }
      for (int i = 0; i < ids.length; i++) {
        if (ids[i].length != ids[0].length || mask[i].length != ids[0].length) {
          throw new IllegalArgumentException("row " + i + " of ids or mask has another length");
        }
      }
    }

    /** Copy of the (B, L) ids. */
    @Override
    public long[][] ids() {
      return deepCopy(ids);
    }

    /** Copy of the (B, L) mask. */
    @Override
    public long[][] mask() {
      return deepCopy(mask);
    }

    @Override
    public int[] fullLengths() {
      return fullLengths.clone();
    }

    public int batchSize() {
      return ids.length;
    }

    public int sequenceLength() {
      return ids.length == 0 ? 0 : ids[0].length;
    }

    /** True if row {@code i} lost tokens to truncation. */
    public boolean truncated(int i) {
      return fullLengths[i] > sequenceLength();
    }

    /** The ids as an int64 (B, L) array in {@code manager}. */
    public NDArray idsArray(NDManager manager) {
      return manager.create(flatten(ids), new Shape(batchSize(), sequenceLength()));
    }

    /** The mask as an int64 (B, L) array in {@code manager}. */
    public NDArray maskArray(NDManager manager) {
      return manager.create(flatten(mask), new Shape(batchSize(), sequenceLength()));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Encoding e
          && Arrays.deepEquals(ids, e.ids)
          && Arrays.deepEquals(mask, e.mask)
          && Arrays.equals(fullLengths, e.fullLengths);
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          Arrays.deepHashCode(ids), Arrays.deepHashCode(mask), Arrays.hashCode(fullLengths));
    }

    @Override
    public String toString() {
      return "Encoding[B=" + batchSize() + ", L=" + sequenceLength() + "]";
    }

    private static long[] flatten(long[][] rows) {
      int width = rows.length == 0 ? 0 : rows[0].length;
      long[] flat = new long[rows.length * width];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(rows[i], 0, flat, i * width, width);
      }
      return flat;
    }

    private static long[][] deepCopy(long[][] rows) {
      long[][] copy = new long[rows.length][];
      for (int i = 0; i < rows.length; i++) {
        copy[i] = rows[i].clone();
      }
      return copy;
    }
  }

  /** Tokenises, truncates, appends EOS and pads each prompt (no preprocessing is applied here). */
  public Encoding encode(List<String> prompts) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("prompts: at least one prompt is required");
    }
    long[][] ids = new long[prompts.size()][];
    long[][] mask = new long[prompts.size()][];
    int[] fullLengths = new int[prompts.size()];
    for (int row = 0; row < prompts.size(); row++) {
      String prompt = Objects.requireNonNull(prompts.get(row), "prompt " + row);
      int[] tokens = tokenize(prompt);
      fullLengths[row] = tokens.length + 1;
      int kept = Math.min(tokens.length, maxLength - 1);
      long[] r = new long[maxLength];
      long[] m = new long[maxLength];
      Arrays.fill(r, padId);
      for (int i = 0; i < kept; i++) {
        r[i] = tokens[i];
        m[i] = 1;
      }
      r[kept] = eosId;
      m[kept] = 1;
      ids[row] = r;
      mask[row] = m;
    }
    return new Encoding(ids, mask, fullLengths);
  }

  /** The token ids of {@code text} without EOS, truncation or padding. */
  public int[] tokenize(String text) {
    List<SpecialTokenSplitter.Segment> segments = splitter.split(text);
    int[][] parts = new int[segments.size()][];
    int total = 0;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("tokenizer is closed");
      }
      SpProcessor processor = sentencePiece.getProcessor();
      for (int i = 0; i < segments.size(); i++) {
        SpecialTokenSplitter.Segment s = segments.get(i);
        parts[i] =
            s.isSpecial() ? new int[] {s.specialId()} : processor.encode(forNative(s.text()));
        total += parts[i].length;
      }
    }
    int[] out = new int[total];
    int at = 0;
    for (int[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  /** The piece spelled by id {@code id} as the native model reports it (for diagnostics). */
  public synchronized String piece(int id) {
    if (id < 0 || id >= model.size()) {
      throw new IllegalArgumentException("id " + id + " is not a SentencePiece id");
    }
    if (closed) {
      throw new IllegalStateException("tokenizer is closed");
    }
    return sentencePiece.getProcessor().getToken(id);
  }

  /** The id of {@code <extra_id_k>}. */
  public int sentinelId(int k) {
    return splitter.extraId(k);
  }

  /** The parsed {@code spiece.model}. */
  public SentencePieceModel model() {
    return model;
  }

  public int maxLength() {
    return maxLength;
  }

  public int padId() {
    return padId;
  }

  public int eosId() {
    return eosId;
  }

  /** True if some piece holds a character outside the BMP (see the class note on the binding). */
  public boolean hasSupplementaryPieces() {
    return supplementaryPieces;
  }

  /**
   * NFKC-maps characters outside the BMP (the model's normaliser would too), because the binding
   * cannot pass them to the native library as valid UTF-8.
   */
  private static String forNative(String text) {
    boolean supplementary = false;
    for (int i = 0; i < text.length(); i++) {
      if (Character.isSurrogate(text.charAt(i))) {
        supplementary = true;
        break;
      }
    }
    if (!supplementary) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            cp -> {
              if (cp > 0xFFFF) {
                out.append(Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFKC));
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.toString();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      sentencePiece.close();
    }
  }
}
