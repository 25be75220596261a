package io.pixartdelta.schemas;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks that a record the code emits is schema-valid on the wire and survives a round trip. */
final class Emitted {
  private static final JsonCodec CODEC = JsonCodec.shared();

  private Emitted() {}

  static RenderJob assertValid(RenderJob job) {
    byte[] json = CODEC.encode(job);
    assertThat(CODEC.validator().validateJob(CODEC.parse(json)))
        .as("schema violations of %s", new String(json, java.nio.charset.StandardCharsets.UTF_8))
        .isEmpty();
    assertThat(CODEC.decodeJob(json)).isEqualTo(job);
    return job;
  }

  static StatusEvent assertValid(StatusEvent event) {
    byte[] json = CODEC.encode(event);
    assertThat(CODEC.validator().validateStatus(CODEC.parse(json)))
        .as("schema violations of %s", new String(json, java.nio.charset.StandardCharsets.UTF_8))
        .isEmpty();
    assertThat(CODEC.decodeStatus(json)).isEqualTo(event);
    return event;
  }
}
