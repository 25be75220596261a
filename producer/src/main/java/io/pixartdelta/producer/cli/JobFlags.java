package io.pixartdelta.producer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Job fields settable from the command line. Every flag is optional: an unset flag leaves the field
 * to the job file or template, then to the schema default.
 */
public final class JobFlags {
  @Option(
      names = "--size",
      paramLabel = "WxH",
      converter = Size.Converter.class,
      description = "Image size, 256..2048, multiples of 8 (default 1024x1024).")
  Size size;

  @Option(names = "--steps", paramLabel = "N", description = "LCM steps 1..8 (default 4).")
  Integer steps;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      description =
          "Seed (default: the worker picks one and reports it); job i of --count gets SEED+i.")
  Long seed;

  @Option(names = "--images", paramLabel = "N", description = "Images per job, 1..4 (default 1).")
  Integer images;

  @Option(
      names = "--priority",
      paramLabel = "P",
      description = "Priority -100..100, higher first (default 0).")
  Integer priority;

  @Option(
      names = "--no-binning",
      description = "Render exactly WxH (multiples of 16) instead of snapping to an aspect bin.")
  boolean noBinning;

  @Option(
      names = "--guidance",
      paramLabel = "SCALE",
      description = "Guidance scale 0..20 (default: the model's).")
  Double guidance;

  @Option(names = "--sampler", paramLabel = "NAME", description = "lcm (default) or dpm-solver.")
  String sampler;

  @Option(
      names = "--bucket",
      paramLabel = "BUCKET",
      description = "Output bucket (default: the worker's); must be on the worker's allow-list.")
  String bucket;

  @Option(
      names = "--prefix",
      paramLabel = "PREFIX",
      description = "Output key prefix (default: the worker's).")
  String prefix;

  @Option(names = "--format", paramLabel = "FMT", description = "png (default) or jpeg.")
  String format;

  @Option(
      names = "--jpeg-quality",
      paramLabel = "Q",
      description = "JPEG quality 1..100 (default 90).")
  Integer jpegQuality;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Expire the job if not rendered within this time from now (e.g. 10m).")
  Duration deadline;

  @Option(
      names = "--meta",
      paramLabel = "KEY=VALUE",
      description = "Metadata passed through to the status events (repeatable).")
  Map<String, String> metadata = new LinkedHashMap<>();

  /** The set flags as a partial job (JSON field names of the render-job schema). */
  ObjectNode defaults(Instant now) {
    ObjectNode node = JsonReporter.MAPPER.createObjectNode();
    if (size != null) {
      node.put("width", size.width()).put("height", size.height());
    }
    if (steps != null) {
      node.put("steps", steps);
    }
    if (seed != null) {
      node.put("seed", seed);
    }
    if (images != null) {
      node.put("numImages", images);
    }
    if (priority != null) {
      node.put("priority", priority);
    }
    if (noBinning) {
      node.put("binning", false);
    }
    if (guidance != null) {
      node.put("guidanceScale", guidance);
    }
    if (sampler != null) {
      node.put("sampler", sampler);
    }
    if (bucket != null || prefix != null || format != null || jpegQuality != null) {
      ObjectNode output = node.putObject("output");
      if (bucket != null) {
        output.put("bucket", bucket);
      }
      if (prefix != null) {
        output.put("prefix", prefix);
      }
      if (format != null) {
        output.put("format", format);
      }
      if (jpegQuality != null) {
        output.put("jpegQuality", jpegQuality);
      }
    }
    if (deadline != null) {
      node.put("deadline", now.plus(deadline).truncatedTo(ChronoUnit.MILLIS).toString());
    }
    if (!metadata.isEmpty()) {
      ObjectNode meta = node.putObject("metadata");
      metadata.forEach(meta::put);
    }
    return node;
  }
}
