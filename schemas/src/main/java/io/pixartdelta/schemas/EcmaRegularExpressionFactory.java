package io.pixartdelta.schemas;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.regex.Pattern;

/**
 * JDK regular expressions with ECMA-262's meaning of {@code $}.
 *
 * <p>JSON Schema's {@code pattern} follows ECMA-262, where {@code $} (without the multiline flag)
 * matches only at the end of the input. The JDK's {@code $} also matches before a final line
 * terminator, so {@code ^[a-z]+$} would accept {@code "abc\n"} and a jobId could smuggle in a
 * newline. Every unescaped {@code $} outside a character class is therefore rewritten to {@code
 * \z}. The contract's patterns use nothing else whose meaning differs between the two dialects.
 */
final class EcmaRegularExpressionFactory implements RegularExpressionFactory {
  static final EcmaRegularExpressionFactory INSTANCE = new EcmaRegularExpressionFactory();

  private EcmaRegularExpressionFactory() {}

  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern pattern = Pattern.compile(toJava(regex));
    return value -> pattern.matcher(value).find();
  }

  /** Rewrites end-of-input anchors; escapes and character classes are copied unchanged. */
  static String toJava(String ecma) {
    StringBuilder java = new StringBuilder(ecma.length() + 8);
    boolean inClass = false;
    for (int i = 0; i < ecma.length(); i++) {
      char c = ecma.charAt(i);
      if (c == '\\' && i + 1 < ecma.length()) {
        java.append(c).append(ecma.charAt(++i));
      } else if (inClass) {
        inClass = c != ']';
        java.append(c);
      } else if (c == '[') {
        inClass = true;
        java.append(c);
      } else if (c == '$') {
        java.append("\\z");
      } else {
        java.append(c);
      }
    }
    return java.toString();
  }
}
