/**
 * Prompt text to caption embeddings: {@link io.pixartdelta.pixart.text.CaptionPreprocessor} (the
 * pipeline's lowercase/strip or caption cleaning), {@link io.pixartdelta.pixart.text.T5Tokenizer}
 * (SentencePiece through DJL's native binding, T5 special tokens, EOS, padding to 120, mask) and
 * {@link io.pixartdelta.pixart.text.T5Encoder} (T5 v1.1 encoder configured by {@link
 * io.pixartdelta.pixart.text.T5Config}).
 *
 * <p>Typical use: {@code encoder.encode(tokenizer.encode(preprocessor.apply(prompts)) .idsArray(m),
 * ...maskArray(m))} gives (B, 120, d_model) embeddings; the same mask then goes to the
 * transformer's cross-attention.
 */
package io.pixartdelta.pixart.text;
