package io.pixartdelta.pixart.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Python 3 {@code str} operations the reference preprocessing relies on, where Java's built-ins
 * differ.
 */
final class PythonText {
  private PythonText() {}

  /**
   * Python's {@code str.isspace()} for one code point: bidirectional class WS, B or S, or general
   * category Zs. Differs from {@link Character#isWhitespace(int)}, which excludes the no-break
   * spaces U+00A0, U+2007, U+202F and U+0085.
   */
  static boolean isSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D)
        || (cp >= 0x1C && cp <= 0x20)
        || cp == 0x85
        || cp == 0xA0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A)
        || cp == 0x2028
        || cp == 0x2029
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }

  /** Python's {@code str.strip()} with no argument: trims {@link #isSpace} characters. */
  static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  /**
   * Python's {@code str.lower()}: Unicode full lowercase mapping without locale rules, including
   * the one-to-many mapping of U+0130 ({@code İ} → {@code i̇}) and the final-sigma rule. Java's
   * root-locale lowercasing implements the same SpecialCasing rules; the two can differ only for
   * characters added between their Unicode versions.
   */
  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /**
   * Python's {@code urllib.parse.unquote_plus}: {@code +} becomes a space, then runs of {@code %XX}
   * escapes are decoded as UTF-8 with invalid bytes replaced by U+FFFD. Malformed escapes ({@code
   * 50%}, {@code %zz}) stay as written.
   */
  static String unquotePlus(String s) {
    String text = s.replace('+', ' ');
    if (text.indexOf('%') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '%' && isHex(text, i + 1) && isHex(text, i + 2)) {
        pending.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
        i += 3;
        continue;
      }
      flushUtf8(pending, out);
      out.append(c);
      i++;
    }
    flushUtf8(pending, out);
    return out.toString();
  }

  private static boolean isHex(String s, int i) {
    return i < s.length() && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 0x80;
  }

  private static void flushUtf8(ByteArrayOutputStream pending, StringBuilder out) {
    if (pending.size() == 0) {
      return;
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE)
            .replaceWith("\uFFFD");
    try {
      CharBuffer chars = decoder.decode(ByteBuffer.wrap(pending.toByteArray()));
      out.append(chars);
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("UTF-8 decoding with replacement cannot fail", e);
    }
    pending.reset();
  }
}
