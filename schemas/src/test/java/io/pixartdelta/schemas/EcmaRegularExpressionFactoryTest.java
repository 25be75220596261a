package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.regex.RegularExpression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ECMA-262 end anchors on top of JDK regular expressions. */
class EcmaRegularExpressionFactoryTest {

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      value = {
        "^a$        => ^a\\z",
        "a|b$       => a|b\\z",
        "^[$]+$     => ^[$]+\\z",
        "^\\$$      => ^\\$\\z",
        "[\\]$]$    => [\\]$]\\z",
        "^(x$|y)    => ^(x\\z|y)",
        "no anchors => no anchors"
      })
  void rewritesOnlyUnescapedDollarsOutsideClasses(String ecma, String java) {
    assertThat(EcmaRegularExpressionFactory.toJava(ecma)).isEqualTo(java);
  }

  @Test
  void dollarDoesNotMatchBeforeAFinalNewline() {
    RegularExpression anchored =
        EcmaRegularExpressionFactory.INSTANCE.getRegularExpression("^[a-z]+$");

    assertThat(anchored.matches("abc")).isTrue();
    assertThat(anchored.matches("abc\n")).isFalse();
    assertThat(anchored.matches("abc\r\n")).isFalse();
    assertThat(anchored.matches("\nabc")).isFalse();
  }

  @Test
  void unanchoredPatternsMatchAnywhereAsInJsonSchema() {
    RegularExpression unanchored = EcmaRegularExpressionFactory.INSTANCE.getRegularExpression("b");

    assertThat(unanchored.matches("abc")).isTrue();
    assertThat(unanchored.matches("xyz")).isFalse();
  }
}
