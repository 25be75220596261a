package io.pixartdelta.pixart.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits raw prompt text at the special-token literals transformers' T5Tokenizer recognises as
 * added tokens: {@code <pad>}, {@code </s>}, {@code <unk>} and {@code <extra_id_k>} for k = 0 ..
 * extraIds − 1 (written without leading zeros). They are matched case-sensitively in the text as
 * typed, before any normalisation, leftmost first; the text between them is tokenised on its own.
 */
final class SpecialTokenSplitter {
  private static final Pattern LITERAL =
      Pattern.compile("<(?:pad|/s|unk|extra_id_(0|[1-9][0-9]*))>");

  /** One piece of the prompt: either plain text or one special token's id. */
  record Segment(String text, int specialId) {
    static Segment text(String text) {
      return new Segment(text, -1);
    }

    static Segment special(int id) {
      return new Segment(null, id);
    }

    boolean isSpecial() {
      return specialId >= 0;
    }
  }

  private final int padId;
  private final int eosId;
  private final int unkId;
  private final int extraIds;
  private final int firstExtraId;

  /**
   * @param firstExtraId id of {@code <extra_id_(extraIds−1)>}; {@code <extra_id_k>} is {@code
   *     firstExtraId + extraIds − 1 − k}
   */
  SpecialTokenSplitter(int padId, int eosId, int unkId, int extraIds, int firstExtraId) {
    this.padId = padId;
    this.eosId = eosId;
    this.unkId = unkId;
    this.extraIds = extraIds;
    this.firstExtraId = firstExtraId;
  }

  /** The id of {@code <extra_id_k>}. */
  int extraId(int k) {
    return firstExtraId + extraIds - 1 - k;
  }

  /** Text and special-token segments in order; empty text between two literals is dropped. */
  List<Segment> split(String text) {
    List<Segment> out = new ArrayList<>();
    Matcher m = LITERAL.matcher(text);
    int start = 0;
    while (m.find()) {
      int id = idOf(m);
      if (id < 0) {
        continue; // e.g. <extra_id_100> with 100 sentinels: ordinary text
      }
      if (m.start() > start) {
        out.add(Segment.text(text.substring(start, m.start())));
      }
      out.add(Segment.special(id));
      start = m.end();
    }
    if (start < text.length()) {
      out.add(Segment.text(text.substring(start)));
    }
    return out;
  }

  private int idOf(Matcher m) {
    String literal = m.group();
    switch (literal) {
      case "<pad>":
        return padId;
      case "</s>":
        return eosId;
      case "<unk>":
        return unkId;
      default:
        String digits = m.group(1);
        if (digits.length() > 9) {
          return -1;
        }
        int k = Integer.parseInt(digits);
        return k < extraIds ? extraId(k) : -1;
    }
  }
}
