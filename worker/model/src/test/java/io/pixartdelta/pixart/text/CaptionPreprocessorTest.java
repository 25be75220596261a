package io.pixartdelta.pixart.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CaptionPreprocessorTest {

  @Test
  void defaultIsLowercaseStripAndMatchesEveryManifestPrompt() {
    assertThat(CaptionPreprocessor.DEFAULT.mode())
        .isEqualTo(CaptionPreprocessor.Mode.LOWERCASE_STRIP);
    assertThat(CaptionPreprocessor.cleanCaption(false)).isSameAs(CaptionPreprocessor.DEFAULT);
    for (TextFixtures.Prompt p : TextFixtures.prompts()) {
      assertThat(CaptionPreprocessor.DEFAULT.apply(p.prompt()))
          .as(p.id())
          .isEqualTo(p.preprocessed());
    }
  }

  @Test
  void stripUsesPythonsWhitespaceSet() {
    // str.isspace(): NBSP, U+0085, U+2007, U+202F, U+3000 are whitespace; U+200B is not.
    assertThat(PythonText.strip("\u00A0\u0085\u2007 x\u202F\u3000")).isEqualTo("x");
    assertThat(PythonText.strip("\u200Bx\u202F\u200B")).isEqualTo("\u200Bx\u202F\u200B");
    assertThat(PythonText.strip("\u001C\u001Fx\u000B")).isEqualTo("x");
    assertThat(PythonText.strip(" \t\n ")).isEmpty();
  }

  @Test
  void lowerUsesPythonsFullCaseMapping() {
    assertThat(PythonText.lower("\u0130STANBUL")).isEqualTo("i\u0307stanbul");
    assertThat(PythonText.lower("STRAßE")).isEqualTo("straße");
    // Final sigma: word-final Σ becomes ς, others σ.
    assertThat(PythonText.lower("ΟΔΟΣ ΣΑ")).isEqualTo("οδος σα");
    assertThat(PythonText.lower("\u01C5")).isEqualTo("\u01C6");
  }

  @Test
  void unquotePlusDecodesUtf8EscapesAndKeepsMalformedOnes() {
    assertThat(PythonText.unquotePlus("a+b%20c%E2%9C%93")).isEqualTo("a b c\u2713");
    assertThat(PythonText.unquotePlus("50% off %zz %4")).isEqualTo("50% off %zz %4");
    assertThat(PythonText.unquotePlus("%C3")).isEqualTo("\uFFFD");
    assertThat(PythonText.unquotePlus("%ef%bc%91")).isEqualTo("\uFF11");
  }

  @Test
  void pyRegexClassesFollowPythonSemantics() {
    // Python: \w is letters, numbers and '_' (no combining marks); \d is Nd; \s is str.isspace().
    assertThat(findAll("\\w+", "cafe\u0301x a_1 \u00BD\u2167"))
        .containsExactly("cafe", "x", "a_1", "\u00BD\u2167");
    assertThat(PyRegex.compile("\\b").matcher("ab c\u0301d").replaceAll("|"))
        .isEqualTo("|ab| |c|\u0301|d|");
    assertThat(findAll("\\s+", "a\u00A0b\u200Bc\u0085d")).containsExactly("\u00A0", "\u0085");
    assertThat(findAll("\\d+", "12\u0663\uFF14 \u00B2")).containsExactly("12\u0663\uFF14");
    // '$' knows only "\n" as a line end.
    assertThat(PyRegex.compile("a$").matcher("a\n").replaceAll("X")).isEqualTo("X\n");
    assertThat(PyRegex.compile("a$").matcher("a\u2028").replaceAll("X")).isEqualTo("a\u2028");
    assertThat(findAll("[\\S]+", "ab c")).containsExactly("ab", "c");
    assertThatThrownBy(() -> PyRegex.compile("[^\\W]"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> findAll(String pythonPattern, String text) {
    Matcher m = PyRegex.compile(pythonPattern).matcher(text);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /**
   * Expected values: the reference's cleaning steps run twice with CPython's {@code re} (3.11) on
   * inputs for which BeautifulSoup and ftfy are the identity.
   */
  static Stream<Arguments> pythonCleanedCaptions() {
    return Stream.of(
        Arguments.of("A photo of a CAT", "a photo of a cat"),
        Arguments.of(
            "Check https://example.com/cats/page.html now, or www.cats.org!",
            "check html now, or !"),
        Arguments.of("this-is-my-cute-cat", "this is my cute cat"),
        Arguments.of("@john_doe loves \u4E2D\u6587 cats", "loves cats"),
        Arguments.of(
            "Hello%20World+again %E2%9C%93 and 50% off", "hello world again \u2713 and 50% off"),
        Arguments.of(
            "IMG_1234.jpg sunset at 1920x1080 #123 and #12345 id 1234567", "sunset at and id"),
        Arguments.of("\u201CQuoted caption\u201D", "quoted caption"),
        Arguments.of("Free shipping worldwide! Click for details, page 3", "worldwide!"),
        Arguments.of("model jc6640 and jc6640vc and 6640vc231 at 192.168.0.1", "model and and at"),
        Arguments.of(
            "a\u00A0cat\u2014on\u2013the mat... really . yes", "a cat-on-the mat really yes"),
        Arguments.of(
            "\u00ABguillemets\u00BB and \u2018single\u2019 quotes ``double''",
            "guillemets\" and 'single' quotes \"double"),
        Arguments.of(
            "text with \\n escaped newline and ***stars*** (parens) [brackets] {braces} \u00A6 pipe",
            "text with escaped newline and stars parens brackets braces \u00A6 pipe"),
        Arguments.of(
            "nice cat: sitting : here,and there.now/then",
            "nice cat: sitting: here, and there. now then"),
        Arguments.of("'_leading and trailing_'", "leading and trailing"),
        Arguments.of(".hidden", ""),
        Arguments.of(
            "caf\u00E9 \u00E0 la cr\u00E8me, na\u00EFve \u00C9COLE",
            "caf\u00E9 \u00E0 la cr\u00E8me, na\u00EFve \u00E9cole"),
        Arguments.of(
            "\u0130stanbul by night \u2116 5, x2 \u00D7 3.5x4.5 sizes",
            "i\u0307stanbul by night \u2116 5, x2 \u00D7 3 5 sizes"),
        Arguments.of(
            "\u0661\u0662\u0663\u0664\u0665\u0666 arabic digits and \uFF11\uFF12\uFF13\uFF14\uFF15\uFF16 fullwidth",
            "arabic digits and fullwidth"),
        Arguments.of("  \u00A0 nbsp padded \u3000 ", "nbsp padded"));
  }

  @ParameterizedTest
  @MethodSource("pythonCleanedCaptions")
  void cleanCaptionMatchesThePythonRoutine(String prompt, String expected) {
    assertThat(CaptionPreprocessor.cleanCaption(true).apply(prompt)).isEqualTo(expected);
  }

  @Test
  void cleanCaptionApproximatesBeautifulSoupAndFtfy() {
    CaptionPreprocessor clean = CaptionPreprocessor.of(CaptionPreprocessor.Mode.CLEAN_CAPTION);
    // Tags go, entities are decoded ("&" then becomes a space as bad punctuation).
    assertThat(clean.apply("<b>Bold</b> &amp; <i>beautiful</i>")).isEqualTo("bold beautiful");
    assertThat(clean.apply("a <!-- note --> cat &lt;3")).isEqualTo("a cat <3");
    // ftfy: Latin ligatures and full-width letters are fixed.
    assertThat(clean.apply("the \uFB01nest \uFB02owers")).isEqualTo("the finest flowers");
    assertThat(clean.apply("\uFF26\uFF55\uFF4C\uFF4C\uFF57\uFF49\uFF44\uFF54\uFF48 letters"))
        .isEqualTo("fullwidth letters");
  }

  @Test
  void htmlUnescapeFollowsPythonsRules() {
    assertThat(HtmlText.unescape("&amp;&lt;&gt;&quot;&#39;&#x41;&eacute;"))
        .isEqualTo("&<>\"'A\u00E9");
    // Legacy names work without ';' (longest match), unknown names stay.
    assertThat(HtmlText.unescape("&ampx &copy2024 &nosuch; &hellip"))
        .isEqualTo("&x \u00A92024 &nosuch; &hellip");
    // Numeric edge cases: C1 range as Windows-1252, invalid -> U+FFFD, controls dropped.
    assertThat(HtmlText.unescape("&#128;&#0;&#xD800;&#1;&#x110000;x"))
        .isEqualTo("\u20AC\uFFFD\uFFFD\uFFFDx");
  }

  @Test
  void ftfyApproximationFixesWhatItCanAndLeavesPlainTextAlone() {
    assertThat(CaptionCleaner.fixText("plain text, caf\u00E9")).isEqualTo("plain text, caf\u00E9");
    assertThat(CaptionCleaner.fixText("a\r\nb\rc\u2028d")).isEqualTo("a\nb\nc\nd");
    assertThat(CaptionCleaner.fixText("\u201Cq\u201D \u2018s\u2019")).isEqualTo("\"q\" 's'");
    assertThat(CaptionCleaner.fixText("e\u0301\u0000\u001B[31mred")).isEqualTo("\u00E9red");
  }

  @Test
  void nullPromptIsRejected() {
    assertThatThrownBy(() -> CaptionPreprocessor.DEFAULT.apply((String) null))
        .isInstanceOf(NullPointerException.class);
  }
}
