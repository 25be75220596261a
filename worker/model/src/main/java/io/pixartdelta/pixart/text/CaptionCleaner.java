package io.pixartdelta.pixart.text;

import java.text.Normalizer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pass of PixArtAlphaPipeline's {@code _clean_caption} (diffusers @58eb52c {@code
 * pipelines/pixart_alpha/pipeline_pixart_alpha.py}, its 27 steps in order); {@link
 * CaptionPreprocessor} applies it twice as the pipeline does. Every regular expression is written
 * in Python syntax and compiled with Python's Unicode semantics by {@link PyRegex}.
 *
 * <p>Approximations (the reference uses Python packages with no Java equivalent):
 *
 * <ul>
 *   <li>Step 4, {@code BeautifulSoup(caption, "html.parser").text}: tags, comments and declarations
 *       are removed and entities decoded ({@link HtmlText#toText}).
 *   <li>Step 19, {@code ftfy.fix_text}: its cheap, deterministic fixes are applied (HTML entities
 *       when the text has no {@code <}, terminal escapes, Latin ligatures, full-width characters,
 *       curly quotes, line breaks, control characters, NFC); its mojibake detection ({@code
 *       fix_encoding}) is not.
 *   <li>{@code html.unescape} knows the Latin-1 entity names and a common subset of HTML5's.
 * </ul>
 *
 * For ordinary prompts (plain text, no markup, no mojibake) these are all the identity.
 */
final class CaptionCleaner {
  private CaptionCleaner() {}

  private static final String FILE_EXTENSIONS = "png|jpg|jpeg|bmp|webp|eps|pdf|apk|mp4";
  private static final String URL_TAIL =
      "[a-zA-Z0-9.\\-]+[.](?:com|co|ru|net|org|edu|gov|it)[\\w/-]*\\b\\/?(?!@)))";

  private static final Pattern PERSON = PyRegex.compile("<person>");
  private static final Pattern URL =
      PyRegex.compile("\\b((?:https?:(?:\\/{1,3}|[a-zA-Z0-9%])|" + URL_TAIL);
  private static final Pattern WWW_URL =
      PyRegex.compile("\\b((?:www:(?:\\/{1,3}|[a-zA-Z0-9%])|" + URL_TAIL);
  private static final Pattern NICKNAME = PyRegex.compile("@[\\w\\d]+\\b");
  private static final Pattern[] CJK = {
    PyRegex.compile("[\\u31c0-\\u31ef]+"),
    PyRegex.compile("[\\u31f0-\\u31ff]+"),
    PyRegex.compile("[\\u3200-\\u32ff]+"),
    PyRegex.compile("[\\u3300-\\u33ff]+"),
    PyRegex.compile("[\\u3400-\\u4dbf]+"),
    PyRegex.compile("[\\u4dc0-\\u4dff]+"),
    PyRegex.compile("[\\u4e00-\\u9fff]+"),
  };
  private static final Pattern DASHES =
      PyRegex.compile(
          "[\\u002D\\u058A\\u05BE\\u1400\\u1806\\u2010-\\u2015\\u2E17\\u2E1A\\u2E3A\\u2E3B"
              + "\\u2E40\\u301C\\u3030\\u30A0\\uFE31\\uFE32\\uFE58\\uFE63\\uFF0D]+");
  private static final Pattern DOUBLE_QUOTES =
      PyRegex.compile("[`\u00B4\u00AB\u00BB\u201C\u201D\u00A8]");
  private static final Pattern SINGLE_QUOTES = PyRegex.compile("[\u2018\u2019]");
  private static final Pattern QUOT = PyRegex.compile("&quot;?");
  private static final Pattern AMP = PyRegex.compile("&amp");
  private static final Pattern IP_ADDRESS =
      PyRegex.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  private static final Pattern ARTICLE_ID = PyRegex.compile("\\d:\\d\\d\\s+$");
  private static final Pattern ESCAPED_NEWLINE = PyRegex.compile("\\\\n");
  private static final Pattern SHORT_HASH_NUMBER = PyRegex.compile("#\\d{1,3}\\b");
  private static final Pattern LONG_HASH_NUMBER = PyRegex.compile("#\\d{5,}\\b");
  private static final Pattern LONG_NUMBER = PyRegex.compile("\\b\\d{6,}\\b");
  private static final Pattern FILE_NAME = PyRegex.compile("[\\S]+\\.(?:" + FILE_EXTENSIONS + ")");
  private static final Pattern REPEATED_QUOTES = PyRegex.compile("[\\\"\\']{2,}");
  private static final Pattern REPEATED_DOTS = PyRegex.compile("[\\.]{2,}");
  private static final Pattern BAD_PUNCTUATION =
      PyRegex.compile(
          "[#\u00AE\u2022\u00A9\u2122&@\u00B7\u00BA\u00BD\u00BE\u00BF\u00A1\u00A7~"
              + "\\)\\(\\]\\[\\}\\{\\|\\\\\\/\\*]{1,}");
  private static final Pattern LONE_DOT = PyRegex.compile("\\s+\\.\\s+");
  private static final Pattern DASH_OR_UNDERSCORE = PyRegex.compile("(?:\\-|\\_)");
  private static final Pattern LETTERS_DIGITS = PyRegex.compile("\\b[a-zA-Z]{1,3}\\d{3,15}\\b");
  private static final Pattern LETTERS_DIGITS_LETTERS =
      PyRegex.compile("\\b[a-zA-Z]+\\d+[a-zA-Z]+\\b");
  private static final Pattern DIGITS_LETTERS_DIGITS = PyRegex.compile("\\b\\d+[a-zA-Z]+\\d+\\b");
  private static final Pattern SHIPPING = PyRegex.compile("(worldwide\\s+)?(free\\s+)?shipping");
  private static final Pattern DOWNLOAD = PyRegex.compile("(free\\s)?download(\\sfree)?");
  private static final Pattern CLICK = PyRegex.compile("\\bclick\\b\\s(?:for|on)\\s\\w+");
  private static final Pattern EXTENSION_WORD =
      PyRegex.compile("\\b(?:" + FILE_EXTENSIONS + ")(\\simage[s]?)?");
  private static final Pattern PAGE_NUMBER = PyRegex.compile("\\bpage\\s+\\d+\\b");
  private static final Pattern MIXED_ID =
      PyRegex.compile("\\b\\d*[a-zA-Z]+\\d+[a-zA-Z]+\\d+[a-zA-Z\\d]*\\b");
  private static final Pattern DIMENSIONS =
      PyRegex.compile("\\b\\d+\\.?\\d*[x\u0445\u00D7]\\d+\\.?\\d*\\b");
  private static final Pattern SPACED_COLON = PyRegex.compile("\\b\\s+\\:\\s+");
  private static final Pattern PUNCTUATION_BEFORE_WORD = PyRegex.compile("(\\D[,\\./])\\b");
  private static final Pattern WHITESPACE_RUN = PyRegex.compile("\\s+");
  private static final Pattern QUOTED_WHOLE = PyRegex.compile("^[\\\"\\']([\\w\\W]+)[\\\"\\']$");
  private static final Pattern LEADING_PUNCTUATION = PyRegex.compile("^[\\'\\_,\\-\\:;]");
  private static final Pattern TRAILING_PUNCTUATION = PyRegex.compile("[\\'\\_,\\-\\:\\-\\+]$");
  private static final Pattern DOT_WORD = PyRegex.compile("^\\.\\S+$");

  /** One cleaning pass over {@code caption}. */
  static String clean(String caption) {
    // 1. URL-unquote, strip, lowercase.
    String c = PythonText.lower(PythonText.strip(PythonText.unquotePlus(caption)));
    // 2.-3. "<person>" tokens, URLs.
    c = delete(PERSON.matcher(c).replaceAll("person"), URL, WWW_URL);
    // 4. HTML to text.
    c = HtmlText.toText(c);
    // 5.-6. @nicknames, CJK runs.
    c = delete(delete(c, NICKNAME), CJK);
    // 7.-9. Dashes to '-', quotes to '"' and '\'', &quot / &amp.
    c = DASHES.matcher(c).replaceAll("-");
    c = DOUBLE_QUOTES.matcher(c).replaceAll("\"");
    c = SINGLE_QUOTES.matcher(c).replaceAll("'");
    c = delete(c, QUOT, AMP);
    // 10.-12. IP addresses, article ids, literal "\n".
    c = IP_ADDRESS.matcher(c).replaceAll(" ");
    c = delete(c, ARTICLE_ID);
    c = ESCAPED_NEWLINE.matcher(c).replaceAll(" ");
    // 13.-14. Hash numbers, long numbers, file names.
    c = delete(c, SHORT_HASH_NUMBER, LONG_HASH_NUMBER, LONG_NUMBER, FILE_NAME);
    // 15.-17. Repeated quotes and dots, bad punctuation, lone dots.
    c = REPEATED_QUOTES.matcher(c).replaceAll("\"");
    c = REPEATED_DOTS.matcher(c).replaceAll(" ");
    c = BAD_PUNCTUATION.matcher(c).replaceAll(" ");
    c = LONE_DOT.matcher(c).replaceAll(" ");
    // 18. this-is-a-slug / this_is_a_slug: more than three separators become spaces.
    if (count(DASH_OR_UNDERSCORE, c) > 3) {
      c = DASH_OR_UNDERSCORE.matcher(c).replaceAll(" ");
    }
    // 19. ftfy, then HTML-unescape twice.
    c = HtmlText.unescape(HtmlText.unescape(fixText(c)));
    // 20.-23. Alphanumeric ids, shop phrases, mixed tokens, dimensions.
    c = delete(c, LETTERS_DIGITS, LETTERS_DIGITS_LETTERS, DIGITS_LETTERS_DIGITS);
    c = delete(c, SHIPPING, DOWNLOAD, CLICK, EXTENSION_WORD, PAGE_NUMBER);
    c = MIXED_ID.matcher(c).replaceAll(" ");
    c = delete(c, DIMENSIONS);
    // 24. Colon spacing, a space after punctuation that precedes a word, collapse whitespace.
    c = SPACED_COLON.matcher(c).replaceAll(": ");
    c = PUNCTUATION_BEFORE_WORD.matcher(c).replaceAll("$1 ");
    c = WHITESPACE_RUN.matcher(c).replaceAll(" ");
    // 25. (The reference calls strip() here and discards the result.)
    // 26. Unwrap quotes; drop one leading / trailing punctuation mark; drop a lone ".word".
    c = QUOTED_WHOLE.matcher(c).replaceAll("$1");
    c = delete(c, LEADING_PUNCTUATION, TRAILING_PUNCTUATION, DOT_WORD);
    // 27.
    return PythonText.strip(c);
  }

  private static String delete(String s, Pattern... patterns) {
    for (Pattern p : patterns) {
      s = p.matcher(s).replaceAll("");
    }
    return s;
  }

  private static int count(Pattern p, String s) {
    Matcher m = p.matcher(s);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B\\[(?:\\d|;)*[a-zA-Z]");

  /**
   * The deterministic part of {@code ftfy.fix_text} with its default settings, in ftfy's order:
   * HTML entities (only when the text has no {@code <}), terminal escapes, Latin ligatures,
   * full-width and half-width forms, curly quotes, line breaks, control characters, NFC. Mojibake
   * repair is not attempted.
   */
  static String fixText(String s) {
    String t = s.indexOf('<') < 0 ? HtmlText.unescape(s) : s;
    t = TERMINAL_ESCAPE.matcher(t).replaceAll("");
    StringBuilder out = new StringBuilder(t.length());
    int i = 0;
    while (i < t.length()) {
      int cp = t.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\r' && i < t.length() && t.charAt(i) == '\n') {
        continue; // "\r\n" -> "\n": the '\n' follows
      }
      out.append(fixCharacter(cp));
    }
    return Normalizer.normalize(out.toString(), Normalizer.Form.NFC);
  }

  private static String fixCharacter(int cp) {
    String ligature = ligature(cp);
    if (ligature != null) {
      return ligature;
    }
    if (cp == 0x3000) {
      return " ";
    }
    if (cp >= 0xFF01 && cp <= 0xFFEE) {
      return Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFKC);
    }
    if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) {
      return "'";
    }
    if (cp >= 0x201C && cp <= 0x201F) {
      return "\"";
    }
    if (cp == '\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
      return "\n";
    }
    if (isControl(cp)) {
      return "";
    }
    return Character.toString(cp);
  }

  private static String ligature(int cp) {
    return switch (cp) {
      case 0x0132 -> "IJ";
      case 0x0133 -> "ij";
      case 0x0149 -> "\u02BCn";
      case 0x01C4 -> "D\u017D";
      case 0x01C5 -> "D\u017E";
      case 0x01C6 -> "d\u017E";
      case 0x01C7 -> "LJ";
      case 0x01C8 -> "Lj";
      case 0x01C9 -> "lj";
      case 0x01CA -> "NJ";
      case 0x01CB -> "Nj";
      case 0x01CC -> "nj";
      case 0x01F1 -> "DZ";
      case 0x01F2 -> "Dz";
      case 0x01F3 -> "dz";
      case 0xFB00 -> "ff";
      case 0xFB01 -> "fi";
      case 0xFB02 -> "fl";
      case 0xFB03 -> "ffi";
      case 0xFB04 -> "ffl";
      case 0xFB05 -> "\u017Ft";
      case 0xFB06 -> "st";
      default -> null;
    };
  }

  /** ftfy's {@code CONTROL_CHARS}: characters {@code remove_control_chars} deletes. */
  private static boolean isControl(int cp) {
    return (cp >= 0x00 && cp <= 0x08)
        || cp == 0x0B
        || (cp >= 0x0E && cp <= 0x1F)
        || cp == 0x7F
        || (cp >= 0x206A && cp <= 0x206F)
        || cp == 0xFEFF
        || (cp >= 0xFFF9 && cp <= 0xFFFC)
        || (cp >= 0x1D173 && cp <= 0x1D17A)
        || (cp >= 0xE0000 && cp <= 0xE007F);
  }
}
