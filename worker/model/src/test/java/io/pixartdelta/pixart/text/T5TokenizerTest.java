package io.pixartdelta.pixart.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.pixart.Fixtures;
import io.pixartdelta.pixart.weights.Npy;
import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class T5TokenizerTest {
  private static T5Tokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = T5Tokenizer.load(Fixtures.path("model/tokenizer"));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static long[][] rows(String file) {
    Npy.Array a = Fixtures.npy(file);
    long[] flat = a.toLongArray();
    int n = (int) a.shape().get(0);
    int width = (int) a.shape().get(1);
    long[][] out = new long[n][width];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * width, out[i], 0, width);
    }
    return out;
  }

  @Test
  @Tag("parity")
  void everyManifestPromptGivesThePipelineIdsAndMaskExactly() {
    List<TextFixtures.Prompt> prompts = TextFixtures.prompts();
    assertThat(prompts).hasSize(22);
    List<String> texts =
        CaptionPreprocessor.DEFAULT.apply(
            prompts.stream().map(TextFixtures.Prompt::prompt).toList());
    T5Tokenizer.Encoding enc = tokenizer.encode(texts);

    long[][] ids = rows("tokenizer/input_ids.npy");
    long[][] mask = rows("tokenizer/attention_mask.npy");
    assertThat(enc.batchSize()).isEqualTo(22);
    assertThat(enc.sequenceLength()).isEqualTo(120);
    for (int i = 0; i < prompts.size(); i++) {
      TextFixtures.Prompt p = prompts.get(i);
      assertThat(enc.ids()[i]).as("ids of %s", p.id()).containsExactly(ids[i]);
      assertThat(enc.mask()[i]).as("mask of %s", p.id()).containsExactly(mask[i]);
      assertThat(enc.fullLengths()[i]).as("length of %s", p.id()).isEqualTo(p.untruncatedLength());
      assertThat(enc.truncated(i)).as("truncated %s", p.id()).isEqualTo(p.truncated());
    }
  }

  @Test
  @Tag("parity")
  void withoutSpecialLiteralsTheIdsEqualPlainSentencePiece() {
    // The manifest's spm_* rows: the library's own encoding + cut/EOS/pad, the classic behaviour.
    List<TextFixtures.Prompt> prompts = TextFixtures.prompts();
    long[][] spm = rows("tokenizer/spm_input_ids.npy");
    long[][] spmMask = rows("tokenizer/spm_attention_mask.npy");
    for (int i = 0; i < prompts.size(); i++) {
      TextFixtures.Prompt p = prompts.get(i);
      if (p.id().equals("special_token_literal")) {
        continue;
      }
      T5Tokenizer.Encoding enc = tokenizer.encode(List.of(p.preprocessed()));
      assertThat(enc.ids()[0]).as(p.id()).containsExactly(spm[i]);
      assertThat(enc.mask()[0]).as(p.id()).containsExactly(spmMask[i]);
    }
  }

  @Test
  void specialTokenLiteralsBecomeTheirIdsAndATypedPadCountsInTheMask() {
    T5Tokenizer.Encoding enc =
        tokenizer.encode(List.of("a cat </s> and <extra_id_0> and <pad> text"));
    // Pieces per the manifest: ▁a ▁cat </s> ▁and <extra_id_0> ▁and <pad> ▁ t e x t </s>.
    long[] ids = enc.ids()[0];
    assertThat(ids[2]).isEqualTo(1);
    assertThat(ids[4]).isEqualTo(1099);
    assertThat(ids[6]).isEqualTo(0);
    assertThat(ids[12]).isEqualTo(1);
    assertThat(enc.mask()[0]).startsWith(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0);
    assertThat(tokenizer.sentinelId(0)).isEqualTo(1099);
    assertThat(tokenizer.sentinelId(99)).isEqualTo(1000);
  }

  @Test
  void textAfterASpecialLiteralGetsAFreshWordPrefix() {
    // "a</s>cat" splits into "a", </s>, "cat"; "cat" is tokenised as a word of its own.
    assertThat(tokenizer.tokenize("a</s>cat"))
        .containsExactly(concat(tokenizer.tokenize("a"), new int[] {1}, tokenizer.tokenize("cat")));
    assertThat(tokenizer.tokenize("<unk>")).containsExactly(2);
    assertThat(tokenizer.tokenize("<pad><pad>")).containsExactly(0, 0);
  }

  @Test
  void malformedOrOutOfRangeSentinelsAreOrdinaryText() {
    for (String text :
        List.of("<extra_id_100>", "<extra_id_07>", "<extra_id_>", "<PAD>", "< /s>")) {
      int[] ids = tokenizer.tokenize(text);
      assertThat(ids).as(text).doesNotContain(0, 1);
      assertThat(java.util.Arrays.stream(ids).max().orElse(0)).as(text).isLessThan(1000);
    }
  }

  @Test
  void aTypedEosIsKeptAndTheEosStillAppended() {
    // transformers 5's post-processor appends </s> unconditionally.
    T5Tokenizer.Encoding enc = tokenizer.encode(List.of("a cat</s>"));
    long[] ids = enc.ids()[0];
    int n = enc.fullLengths()[0];
    assertThat(ids[n - 2]).isEqualTo(1);
    assertThat(ids[n - 1]).isEqualTo(1);
  }

  @Test
  void charactersOutsideTheBmpAreNormalisedLikeTheModelsNfkc() {
    // U+1D41A.. MATHEMATICAL BOLD SMALL A, B, C: NFKC (inside nmt_nfkc) maps them to "abc".
    assertThat(tokenizer.tokenize("\uD835\uDC1A\uD835\uDC1B\uD835\uDC1C cat"))
        .containsExactly(tokenizer.tokenize("abc cat"));
    // Emoji stay unknown: "▁" then one <unk> per run, as in the manifest's emoji prompt.
    int space = tokenizer.model().idOf("\u2581");
    assertThat(tokenizer.tokenize("dog \uD83D\uDC36\uD83C\uDF89"))
        .containsExactly(concat(tokenizer.tokenize("dog"), new int[] {space, 2}));
    assertThat(tokenizer.hasSupplementaryPieces()).isFalse();
  }

  @Test
  void vocabularyReadFromTheProtoMatchesTheLibraryAndTheFixture() throws IOException {
    JsonNode vocab =
        new ObjectMapper().readTree(Files.readString(Fixtures.path("tokenizer/spm_vocab.json")));
    SentencePieceModel model = tokenizer.model();
    assertThat(model.size()).isEqualTo(vocab.size()).isEqualTo(1000);
    assertThat(model.modelType()).isEqualTo(SentencePieceModel.UNIGRAM);
    assertThat(model.normalizerName()).isEqualTo("nmt_nfkc");
    for (int id = 0; id < vocab.size(); id++) {
      JsonNode e = vocab.get(id);
      SentencePieceModel.Piece p = model.pieces().get(id);
      assertThat(p.piece()).as("piece %d", id).isEqualTo(e.get(0).asText());
      assertThat(p.score()).as("score %d", id).isEqualTo((float) e.get(1).asDouble());
      assertThat(p.type().name().toLowerCase(java.util.Locale.ROOT))
          .as("type %d", id)
          .isEqualTo(e.get(2).asText());
      assertThat(tokenizer.piece(id)).as("native piece %d", id).isEqualTo(e.get(0).asText());
    }
    assertThat(tokenizer.padId()).isZero();
    assertThat(tokenizer.eosId()).isEqualTo(1);
  }

  @Test
  void encodingConvertsToInt64Arrays() {
    T5Tokenizer.Encoding enc = tokenizer.encode(List.of("a cat", ""));
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray ids = enc.idsArray(m);
      NDArray mask = enc.maskArray(m);
      assertThat(ids.getShape()).isEqualTo(new Shape(2, 120));
      assertThat(ids.getDataType()).isEqualTo(DataType.INT64);
      assertThat(mask.getDataType()).isEqualTo(DataType.INT64);
      assertThat(ids.toLongArray()).startsWith(enc.ids()[0]);
      assertThat(mask.sum().getLong()).isEqualTo(enc.fullLengths()[0] + 1L);
    }
    // The empty prompt is just EOS.
    assertThat(enc.ids()[1]).startsWith(1, 0);
    assertThat(enc.mask()[1]).startsWith(1, 0);
  }

  @Test
  void encodingIsImmutable() {
    T5Tokenizer.Encoding enc = tokenizer.encode(List.of("a cat"));
    enc.ids()[0][0] = 999;
    enc.mask()[0][0] = 7;
    assertThat(enc.ids()[0][0]).isNotEqualTo(999);
    assertThat(enc.mask()[0][0]).isEqualTo(1);
    assertThat(enc).isEqualTo(tokenizer.encode(List.of("a cat")));
  }

  @Test
  void concurrentCallersGetTheSameIds() throws Exception {
    List<String> texts =
        CaptionPreprocessor.DEFAULT.apply(
            TextFixtures.prompts().stream().map(TextFixtures.Prompt::prompt).toList());
    T5Tokenizer.Encoding expected = tokenizer.encode(texts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<T5Tokenizer.Encoding>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> tokenizer.encode(texts)));
      }
      for (Future<T5Tokenizer.Encoding> r : results) {
        assertThat(r.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shortMaxLengthTruncatesAndKeepsTheEos() {
    try (T5Tokenizer shortTokenizer = T5Tokenizer.load(Fixtures.path("model/tokenizer"), 4)) {
      T5Tokenizer.Encoding enc = shortTokenizer.encode(List.of("an astronaut riding a horse"));
      assertThat(enc.ids()[0]).hasSize(4);
      assertThat(enc.ids()[0][3]).isEqualTo(1);
      assertThat(enc.mask()[0]).containsExactly(1, 1, 1, 1);
      assertThat(enc.truncated(0)).isTrue();
    }
  }

  @Test
  void closedTokenizerRefusesWork() {
    T5Tokenizer t = T5Tokenizer.load(Fixtures.path("model/tokenizer"));
    t.close();
    t.close(); // idempotent
    assertThatThrownBy(() -> t.encode(List.of("a"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badInputsAndFoldersAreRejected(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> tokenizer.encode(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> T5Tokenizer.load(dir))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("spiece.model");
    Files.write(dir.resolve("spiece.model"), new byte[] {0x0a, 0x7f, 0x01});
    assertThatThrownBy(() -> T5Tokenizer.load(dir))
        .isInstanceOf(WeightException.class)
        .hasMessageContaining("corrupt");
  }

  private static int[] concat(int[]... parts) {
    int n = 0;
    for (int[] p : parts) {
      n += p.length;
    }
    int[] out = new int[n];
    int at = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
