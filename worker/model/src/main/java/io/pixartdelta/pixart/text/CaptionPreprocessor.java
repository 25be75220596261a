package io.pixartdelta.pixart.text;

import java.util.List;
import java.util.Objects;

/**
 * PixArtAlphaPipeline's {@code _text_preprocessing}: what happens to a prompt before the tokenizer.
 *
 * <ul>
 *   <li>{@link Mode#LOWERCASE_STRIP} ({@code clean_caption=False}): Python {@code
 *       text.lower().strip()} — Unicode lowercasing ({@code İ} → {@code i̇}, final sigma) and
 *       trimming of every Python whitespace character, no-break spaces included. Exact.
 *   <li>{@link Mode#CLEAN_CAPTION} ({@code clean_caption=True}): the pipeline's caption-cleaning
 *       routine applied twice ({@code _clean_caption} in diffusers @58eb52c {@code
 *       pipelines/pixart_alpha/pipeline_pixart_alpha.py}). Its BeautifulSoup and ftfy steps are
 *       approximated (see {@link CaptionCleaner}); for ordinary prompts both are the identity.
 * </ul>
 *
 * <p>Jobs use {@link #DEFAULT} = lowercase + strip: the official PixArt demos call {@code
 * pipe.encode_prompt(...)}, whose default is {@code clean_caption=False}, the golden fixtures were
 * produced that way, and it is the only mode reproduced exactly. ({@code PixArtAlphaPipeline
 * .__call__} itself defaults to cleaning, and silently falls back to lowercase + strip when {@code
 * bs4} or {@code ftfy} are not installed.)
 *
 * <p>Immutable and thread-safe.
 */
public final class CaptionPreprocessor {

  /** Which preprocessing the reference applies. */
  public enum Mode {
    /** {@code clean_caption=False}: {@code text.lower().strip()}. */
    LOWERCASE_STRIP,
    /** {@code clean_caption=True}: the caption-cleaning routine, twice. */
    CLEAN_CAPTION
  }

  /** What render jobs use: {@link Mode#LOWERCASE_STRIP}. */
  public static final CaptionPreprocessor DEFAULT = new CaptionPreprocessor(Mode.LOWERCASE_STRIP);

  private final Mode mode;

  private CaptionPreprocessor(Mode mode) {
    this.mode = mode;
  }

  /** The preprocessor for {@code mode}. */
  public static CaptionPreprocessor of(Mode mode) {
    return mode == Mode.LOWERCASE_STRIP
        ? DEFAULT
        : new CaptionPreprocessor(Objects.requireNonNull(mode, "mode"));
  }

  /** The preprocessor the pipeline's {@code clean_caption} flag selects. */
  public static CaptionPreprocessor cleanCaption(boolean cleanCaption) {
    return of(cleanCaption ? Mode.CLEAN_CAPTION : Mode.LOWERCASE_STRIP);
  }

  public Mode mode() {
    return mode;
  }

  /** The text the tokenizer sees for {@code prompt}. */
  public String apply(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    return switch (mode) {
      case LOWERCASE_STRIP -> PythonText.strip(PythonText.lower(prompt));
      case CLEAN_CAPTION -> CaptionCleaner.clean(CaptionCleaner.clean(prompt));
    };
  }

  /** {@link #apply(String)} for each prompt, in order. */
  public List<String> apply(List<String> prompts) {
    return prompts.stream().map(this::apply).toList();
  }

  @Override
  public String toString() {
    return "CaptionPreprocessor[" + mode + "]";
  }
}
