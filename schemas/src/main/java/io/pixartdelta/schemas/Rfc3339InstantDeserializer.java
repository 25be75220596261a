package io.pixartdelta.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Locale;

/**
 * Reads the contract's {@code date-time} strings as {@link Instant}s, exactly as far as the schema
 * accepts them: RFC 3339 with a zone offset, {@code T}, {@code t} or a space between date and time,
 * {@code Z} or {@code z}. Numbers (epoch values, which Jackson would otherwise accept) are
 * rejected.
 */
final class Rfc3339InstantDeserializer extends StdScalarDeserializer<Instant> {
  private static final DateTimeFormatter RFC_3339 =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .appendLiteral('T')
          .append(DateTimeFormatter.ISO_LOCAL_TIME)
          .appendOffsetId()
          .toFormatter(Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT);

  private static final int DATE_LENGTH = "2026-01-01".length();

  Rfc3339InstantDeserializer() {
    super(Instant.class);
  }

  @Override
  public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      return (Instant) context.handleUnexpectedToken(Instant.class, parser);
    }
    String text = parser.getText();
    String normalized =
        text.length() > DATE_LENGTH && text.charAt(DATE_LENGTH) == ' '
            ? text.substring(0, DATE_LENGTH) + 'T' + text.substring(DATE_LENGTH + 1)
            : text;
    try {
      return RFC_3339.parse(normalized, OffsetDateTime::from).toInstant();
    } catch (DateTimeParseException e) {
      return (Instant)
          context.handleWeirdStringValue(
              Instant.class, text, "not an RFC 3339 date-time with offset: %s", e.getMessage());
    }
  }
}
