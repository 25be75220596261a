package io.pixartdelta.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hostile messages of {@code src/test/resources/hostile/messages.jsonl} (format in the README
 * next to it): objects to upload to S3 first, then the messages in order, each with the outcome the
 * worker must report for it.
 */
final class HostileCorpus {
  private static final String DIR = "/hostile/";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(repeat|base64):([^}]*)}");
  private static final Pattern RAW_NUMBER = Pattern.compile("\"@(-?[0-9][0-9.eE+-]*)\"");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** An S3 object the messages refer to. */
  record Upload(String key, byte[] bytes) {}

  /**
   * One message: its record key and value as sent (either may be null), and the terminal events the
   * worker must report under {@code expect.id()}, or null when another message carries them.
   */
  record Message(String name, String why, String key, byte[] value, Expect expect) {}

  /**
   * @param id the job id the outcome is reported under; {@code @unreadable} for the synthetic id
   *     built from the record's position
   * @param terminal every terminal event, as {@code STATE} or {@code STATE:code}, in any order
   */
  record Expect(String id, List<String> terminal) {
    boolean unreadable() {
      return id.equals("@unreadable");
    }
  }

  final List<Upload> uploads = new ArrayList<>();
  final List<Message> messages = new ArrayList<>();

  private HostileCorpus() {}

  static HostileCorpus load() {
    HostileCorpus corpus = new HostileCorpus();
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(resource("messages.jsonl"), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (!line.isBlank()) {
          corpus.add(MAPPER.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return corpus;
  }

  private void add(JsonNode entry) throws IOException {
    if (entry.has("upload")) {
      uploads.add(new Upload(entry.get("upload").textValue(), value(entry)));
      return;
    }
    JsonNode expect = entry.get("expect");
    List<String> terminal = new ArrayList<>();
    if (expect != null) {
      expect.get("terminal").forEach(t -> terminal.add(t.textValue()));
    }
    messages.add(
        new Message(
            entry.get("case").textValue(),
            entry.get("why").textValue(),
            entry.get("key").textValue(),
            value(entry),
            expect == null ? null : new Expect(expect.get("id").textValue(), terminal)));
  }

  /** The bytes an entry describes: text, base64, a resource file, a JSON value, or null. */
  private static byte[] value(JsonNode entry) throws IOException {
    if (entry.has("text")) {
      return expand(entry.get("text").textValue()).getBytes(StandardCharsets.UTF_8);
    }
    if (entry.has("base64")) {
      return Base64.getDecoder().decode(entry.get("base64").textValue());
    }
    if (entry.has("file")) {
      return file(entry.get("file").textValue());
    }
    if (entry.has("json")) {
      // "@<number>" stands for a number literal that Java's numbers would not keep as written.
      String json =
          RAW_NUMBER.matcher(MAPPER.writeValueAsString(entry.get("json"))).replaceAll("$1");
      return expand(json).getBytes(StandardCharsets.UTF_8);
    }
    if (entry.has("value") && entry.get("value").isNull()) {
      return null;
    }
    throw new IllegalArgumentException("corpus entry without a value: " + entry);
  }

  /** Expands {@code ${repeat:C:N}} (C written N times) and {@code ${base64:FILE}}. */
  private static String expand(String text) throws IOException {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group(1).equals("repeat")) {
        int colon = m.group(2).lastIndexOf(':');
        replacement =
            m.group(2)
                .substring(0, colon)
                .repeat(Integer.parseInt(m.group(2).substring(colon + 1)));
      } else {
        replacement = Base64.getEncoder().encodeToString(file(m.group(2)));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static byte[] file(String name) throws IOException {
    try (InputStream in = resource(name)) {
      return in.readAllBytes();
    }
  }

  private static InputStream resource(String name) {
    return Objects.requireNonNull(
        HostileCorpus.class.getResourceAsStream(DIR + name), "missing test resource " + name);
  }
}
