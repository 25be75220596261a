package io.pixartdelta.pixart.text;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML helpers for the caption cleaner: Python's {@code html.unescape} and an approximation of
 * {@code BeautifulSoup(text, "html.parser").text}.
 */
final class HtmlText {
  private HtmlText() {}

  /**
   * HTML 4 Latin-1 entity names in code point order, U+00A0 to U+00FF. HTML5 accepts all of them
   * with or without the final semicolon.
   */
  private static final String[] LATIN1 = {
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
    "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para",
    "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave",
    "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc",
    "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc",
    "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN",
    "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave",
    "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve",
    "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml",
    "yacute", "thorn", "yuml"
  };

  /** Entities valid without a semicolon (legacy), besides {@link #LATIN1}. */
  private static final Map<String, String> LEGACY = new HashMap<>();

  /** Entities that need their semicolon: a common subset of the HTML5 table. */
  private static final Map<String, String> WITH_SEMICOLON = new HashMap<>();

  static {
    for (int i = 0; i < LATIN1.length; i++) {
      LEGACY.put(LATIN1[i], Character.toString(0xA0 + i));
    }
    for (String[] e :
        new String[][] {
          {"amp", "&"},
          {"AMP", "&"},
          {"lt", "<"},
          {"LT", "<"},
          {"gt", ">"},
          {"GT", ">"},
          {"quot", "\""},
          {"QUOT", "\""},
          {"COPY", "\u00A9"},
          {"REG", "\u00AE"}
        }) {
      LEGACY.put(e[0], e[1]);
    }
    for (String[] e :
        new String[][] {
          {"apos", "'"}, {"hellip", "\u2026"}, {"mdash", "\u2014"}, {"ndash", "\u2013"},
          {"lsquo", "\u2018"}, {"rsquo", "\u2019"}, {"sbquo", "\u201A"}, {"ldquo", "\u201C"},
          {"rdquo", "\u201D"}, {"bdquo", "\u201E"}, {"lsaquo", "\u2039"}, {"rsaquo", "\u203A"},
          {"bull", "\u2022"}, {"prime", "\u2032"}, {"Prime", "\u2033"}, {"dagger", "\u2020"},
          {"Dagger", "\u2021"}, {"permil", "\u2030"}, {"trade", "\u2122"}, {"TRADE", "\u2122"},
          {"euro", "\u20AC"}, {"ensp", "\u2002"}, {"emsp", "\u2003"}, {"thinsp", "\u2009"},
          {"zwnj", "\u200C"}, {"zwj", "\u200D"}, {"lrm", "\u200E"}, {"rlm", "\u200F"},
          {"oelig", "\u0153"}, {"OElig", "\u0152"}, {"scaron", "\u0161"}, {"Scaron", "\u0160"},
          {"Yuml", "\u0178"}, {"fnof", "\u0192"}, {"circ", "\u02C6"}, {"tilde", "\u02DC"},
          {"larr", "\u2190"}, {"rarr", "\u2192"}, {"uarr", "\u2191"}, {"darr", "\u2193"},
          {"harr", "\u2194"}, {"infin", "\u221E"}, {"minus", "\u2212"}, {"ne", "\u2260"},
          {"le", "\u2264"}, {"ge", "\u2265"}, {"asymp", "\u2248"}, {"hearts", "\u2665"},
          {"star", "\u2606"}, {"starf", "\u2605"}, {"check", "\u2713"}, {"cross", "\u2717"}
        }) {
      WITH_SEMICOLON.put(e[0], e[1]);
    }
  }

  /** Windows-1252 meanings of the C1 numeric character references 128 to 159. */
  private static final String CP1252_C1 =
      "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D"
          + "\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153"
          + "\u009D\u017E\u0178";

  private static final Pattern REFERENCE =
      Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

  /**
   * Python's {@code html.unescape}: numeric references (with Python's replacements for invalid
   * ones) and named references, the longest legacy name winning when the semicolon is missing.
   * Approximation: only the Latin-1 names and a common subset of the 2,231 HTML5 names are known;
   * unknown names stay as written.
   */
  static String unescape(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    Matcher m = REFERENCE.matcher(s);
    StringBuilder out = new StringBuilder(s.length());
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String replace(String ref) {
    if (ref.charAt(0) == '#') {
      return numeric(ref);
    }
    if (ref.endsWith(";")) {
      String name = ref.substring(0, ref.length() - 1);
      String v = LEGACY.containsKey(name) ? LEGACY.get(name) : WITH_SEMICOLON.get(name);
      if (v != null) {
        return v;
      }
    }
    // Longest legacy (semicolon-free) name that prefixes the reference; the rest stays text.
    for (int end = Math.min(ref.length(), 32); end > 1; end--) {
      String v = LEGACY.get(ref.substring(0, end));
      if (v != null) {
        return v + ref.substring(end);
      }
    }
    return "&" + ref;
  }

  private static String numeric(String ref) {
    String digits = ref.endsWith(";") ? ref.substring(1, ref.length() - 1) : ref.substring(1);
    long cp;
    try {
      cp =
          digits.charAt(0) == 'x' || digits.charAt(0) == 'X'
              ? Long.parseLong(digits.substring(1), 16)
              : Long.parseLong(digits);
    } catch (NumberFormatException e) {
      cp = Long.MAX_VALUE; // more digits than a long: out of range
    }
    if (cp >= 0x80 && cp <= 0x9F) {
      return String.valueOf(CP1252_C1.charAt((int) cp - 0x80));
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return "\uFFFD";
    }
    if (cp == 0x0D) {
      return "\r";
    }
    if (isInvalidCodePoint((int) cp)) {
      return "";
    }
    return Character.toString((int) cp);
  }

  /** Python's {@code html._invalid_codepoints}: controls and non-characters map to nothing. */
  private static boolean isInvalidCodePoint(int cp) {
    return (cp >= 0x1 && cp <= 0x8)
        || cp == 0xB
        || (cp >= 0xE && cp <= 0x1F)
        || (cp >= 0x7F && cp <= 0x9F)
        || (cp >= 0xFDD0 && cp <= 0xFDEF)
        || (cp & 0xFFFE) == 0xFFFE;
  }

  private static final Pattern COMMENT = Pattern.compile("<!--.*?(?:-->|$)", Pattern.DOTALL);
  private static final Pattern MARKUP =
      Pattern.compile("</?[a-zA-Z][^>]*>|<![^>]*>|<\\?[^>]*>|</[^a-zA-Z>][^>]*>|</>");

  /**
   * Approximates {@code BeautifulSoup(text, "html.parser").text}: comments, tags, declarations and
   * processing instructions are removed (the text inside elements is kept), then character
   * references are decoded. A {@code <} that does not start markup stays text. Not reproduced:
   * html.parser's handling of unterminated tags and CDATA sections.
   */
  static String toText(String s) {
    if (s.indexOf('<') < 0 && s.indexOf('&') < 0) {
      return s;
    }
    String noComments = COMMENT.matcher(s).replaceAll("");
    String noTags = MARKUP.matcher(noComments).replaceAll("");
    return unescape(noTags);
  }
}
