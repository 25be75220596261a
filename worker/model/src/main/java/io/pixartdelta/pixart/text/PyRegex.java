package io.pixartdelta.pixart.text;

import java.util.regex.Pattern;

/**
 * Compiles a regular expression written with Python {@code re} semantics for {@code str} patterns
 * into a {@link Pattern} that matches the same text.
 *
 * <p>The shorthand classes differ between the two engines, so they are rewritten: {@code \w} is
 * {@code [\p{L}\p{N}_]} (Python: {@code str.isalnum()} or underscore; Java's Unicode {@code \w}
 * also takes combining marks), {@code \d} is {@code \p{Nd}}, {@code \s} is the {@code
 * str.isspace()} set (which includes U+00A0 and U+0085), {@code \b} is the boundary between those
 * word and non-word characters, and {@code $}/{@code .} only know {@code \n} as a line end. Other
 * syntax used by the caption cleaner ({@code \\uXXXX}, classes, groups, lookahead, quantifiers) is
 * the same in both.
 */
final class PyRegex {
  private static final String WORD = "\\p{L}\\p{N}_";
  private static final String SPACE =
      "\\t\\n\\u000B\\f\\r\\u001C-\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A"
          + "\\u2028\\u2029\\u202F\\u205F\\u3000";
  private static final String BOUNDARY =
      "(?:(?<=[" + WORD + "])(?![" + WORD + "])|(?<![" + WORD + "])(?=[" + WORD + "]))";

  private PyRegex() {}

  /** Compiles {@code pythonPattern} (raw-string syntax) with Python's meaning. */
  static Pattern compile(String pythonPattern) {
    return Pattern.compile(translate(pythonPattern), Pattern.UNIX_LINES);
  }

  /** The Java pattern text equivalent to {@code pythonPattern}. */
  static String translate(String p) {
    StringBuilder out = new StringBuilder(p.length() * 2);
    boolean inClass = false;
    boolean negatedClass = false;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '\\' && i + 1 < p.length()) {
        char e = p.charAt(++i);
        out.append(inClass ? inClassEscape(e, negatedClass, p) : outsideEscape(e));
        continue;
      }
      if (!inClass && c == '[') {
        inClass = true;
        negatedClass = i + 1 < p.length() && p.charAt(i + 1) == '^';
        out.append(c);
        if (negatedClass) {
          out.append('^');
          i++;
        }
        // A ']' right after '[' or '[^' is a literal in Python; Java wants it escaped.
        if (i + 1 < p.length() && p.charAt(i + 1) == ']') {
          out.append("\\]");
          i++;
        }
        continue;
      }
      if (inClass && c == '[') {
        out.append("\\["); // a literal '[' inside a class (Java would read a nested class)
        continue;
      }
      if (inClass && c == ']') {
        inClass = false;
      }
      out.append(c);
    }
    return out.toString();
  }

  private static String outsideEscape(char e) {
    return switch (e) {
      case 'w' -> "[" + WORD + "]";
      case 'W' -> "[^" + WORD + "]";
      case 'd' -> "\\p{Nd}";
      case 'D' -> "\\P{Nd}";
      case 's' -> "[" + SPACE + "]";
      case 'S' -> "[^" + SPACE + "]";
      case 'b' -> BOUNDARY;
      default -> "\\" + e;
    };
  }

  private static String inClassEscape(char e, boolean negatedClass, String pattern) {
    return switch (e) {
      case 'w' -> WORD;
      case 'd' -> "\\p{Nd}";
      case 'D' -> "\\P{Nd}";
      case 's' -> SPACE;
      case 'W', 'S' -> {
        if (negatedClass) {
          // Java's nested-class union inside a negated class does not negate the nested part.
          throw new IllegalArgumentException("unsupported \\" + e + " in [^...]: " + pattern);
        }
        yield "[^" + (e == 'W' ? WORD : SPACE) + "]";
      }
      default -> "\\" + e;
    };
  }
}
