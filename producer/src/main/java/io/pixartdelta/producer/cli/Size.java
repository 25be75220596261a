package io.pixartdelta.producer.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An image size given as {@code WxH} on the command line; the limits are checked by the job schema.
 *
 * @param width pixels
 * @param height pixels
 */
public record Size(int width, int height) {
  private static final Pattern WXH = Pattern.compile("(\\d{1,5})[xX](\\d{1,5})");

  /** Parses {@code 1024x768}. */
  public static Size parse(String value) {
    Matcher m = WXH.matcher(value.trim());
    if (!m.matches()) {
      throw new TypeConversionException("'" + value + "' is not a size WxH (e.g. 1024x768)");
    }
    return new Size(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /** Picocli converter for {@code --size}. */
  public static final class Converter implements ITypeConverter<Size> {
    @Override
    public Size convert(String value) {
      return parse(value);
    }
  }
}
